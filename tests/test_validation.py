import numpy as np
import pytest

from course_lib.validation import positive_int, rate


def test_positive_int_accepts_integral_values():
    assert positive_int(3, "units") == 3
    assert positive_int(np.int64(5), "units") == 5
    assert isinstance(positive_int(np.int32(4), "units"), int)


@pytest.mark.parametrize("bad", [0, -2, 2.5, 4.0, True, "3", None])
def test_positive_int_rejects_and_names_the_argument(bad):
    with pytest.raises(ValueError, match="units must be a positive integer"):
        positive_int(bad, "units")


def test_rate_is_in_zero_one():
    assert rate(0, "dropout") == 0.0 and rate(0.3, "dropout") == 0.3
    for bad in (1.0, -0.1, True, "0.1"):
        with pytest.raises(ValueError, match=r"dropout must be a number in \[0, 1\)"):
            rate(bad, "dropout")
