"""The `course` command: doctor, data, run, report, release, site, metadata, lab."""

import argparse
import os
import subprocess
import sys
from pathlib import Path

from course_lib.paths import lessons_dir
from course_lib.tools.profiles import DEFAULT_PROFILE, PROFILES


def _doctor(args) -> int:
    from course_lib.tools.env import format_environment_report

    print(format_environment_report())
    return 0


def _data(args) -> int:
    from course_lib.data import DataError
    from course_lib.tools import data_commands

    try:
        if args.action == "status":
            print(data_commands.format_data_status())
        elif args.action == "fetch":
            for path in data_commands.fetch(args.name):
                print(f"fetched {path}")
        elif args.action == "import":
            for path in data_commands.import_data(Path(args.path)):
                print(f"imported {path}")
    except DataError as err:
        print(f"course data {args.action}: {err}", file=sys.stderr)
        return 1
    return 0


def _run(args) -> int:
    from course_lib.tools.runner import run_lessons

    try:
        results = run_lessons(args.lessons, profile=args.profile, out=args.out)
    except ValueError as err:
        print(f"course run: {err}", file=sys.stderr)
        return 2
    return 0 if all(entry["passed"] for entry in results.values()) else 1


def _report(args) -> int:
    """`course report`: the run table of report.json, or with --markdown docs/results.md."""
    from course_lib.paths import build_dir
    from course_lib.tools.report import (
        REPORT_NAME,
        RESULTS_PATH,
        ReportError,
        load_report,
        write_results,
    )

    try:
        if not args.markdown:
            from course_lib.tools.runner import format_results

            report = load_report(Path(args.build or build_dir()) / REPORT_NAME)
            print(format_results({name: report[name] for name in sorted(report)}))
            return 0
        written = write_results(args.build, args.out)
    except ReportError as err:
        print(f"course report: {err}", file=sys.stderr)
        return 1
    except (KeyError, TypeError) as err:
        print(
            f"course report: report.json has an entry without {err}: run make run first",
            file=sys.stderr,
        )
        return 1
    except OSError as err:
        target = args.out or RESULTS_PATH
        print(f"course report: cannot write {target}: {err.strerror or err}", file=sys.stderr)
        return 1
    if written is not None:
        print(f"wrote {written}")
    return 0


def _release(args) -> int:
    from course_lib.tools.release import ReleaseError, release_course
    from course_lib.tools.runner import lesson_paths

    try:
        written = release_course(Path(args.out), lesson_paths(args.lessons))
    except ReleaseError as err:
        print(f"course release: refused, nothing written: {err}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0


def _site(args) -> int:
    from course_lib.tools.runner import run_lessons
    from course_lib.tools.site import build_site, stale_lessons

    stale = stale_lessons(args.out)
    if stale:
        print(f"running {len(stale)} lessons whose executed copy is missing or older: {stale}")
        run_lessons(stale, profile=args.profile, out=args.out)
    print(f"site: {build_site(args.out)}")
    return 0


def _metadata(args) -> int:
    import nbformat

    from course_lib.tools.grading import metadata_problems, sync_metadata, total_points
    from course_lib.tools.runner import lesson_paths

    try:
        paths = lesson_paths(args.lessons)
    except ValueError as err:
        print(f"course metadata: {err}", file=sys.stderr)
        return 2
    failed = False
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if args.check:
            problems = metadata_problems(nb)
            for problem in problems:
                print(f"{path.name}: {problem}", file=sys.stderr)
            failed |= bool(problems)
            continue
        try:
            changed = sync_metadata(nb)
        except ValueError as err:
            print(f"course metadata: {path.name}: {err}", file=sys.stderr)
            return 1
        if changed:
            nbformat.write(nb, path)
        state = "updated" if changed else "unchanged"
        auto, manual = total_points(nb, kind="auto"), total_points(nb, kind="manual")
        print(f"{path.name}: {state}, {auto:g} points autograded + {manual:g} graded by hand")
    if args.check and not failed:
        print(f"nbgrader metadata agrees with the markers in {len(paths)} lessons")
    return 1 if failed else 0


def _lab(args) -> int:
    command = [sys.executable, "-m", "jupyterlab", str(lessons_dir())]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and classroom VMs often run as root
    return subprocess.call(command)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `course` (also used by the tests)."""
    parser = argparse.ArgumentParser(prog="course", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("doctor", help="versions, backend, devices, profile, data status").set_defaults(
        func=_doctor
    )

    data = sub.add_parser("data", help="dataset status, download and offline import")
    data_sub = data.add_subparsers(dest="action", required=True)
    data_sub.add_parser("status", help="where each dataset was found and whether it verified")
    fetch = data_sub.add_parser("fetch", help="download a dataset (needs network)")
    fetch.add_argument("name", nargs="?", help="fashion_mnist or imdb (default: both)")
    imp = data_sub.add_parser("import", help="verify a file or folder and copy it into the cache")
    imp.add_argument("path")
    data.set_defaults(func=_data)

    run = sub.add_parser("run", help="execute lessons headless; build/report.json and the site")
    run.add_argument("lessons", nargs="*", help="e.g. 00 or 04_autoencoder (default: all)")
    run.add_argument(
        "--profile", choices=PROFILES, help=f"default: $COURSE_PROFILE or {DEFAULT_PROFILE}"
    )
    run.add_argument("--out", type=Path, help="build folder (default: build/)")
    run.set_defaults(func=_run)

    report = sub.add_parser(
        "report", help="build/report.json as a table, or as docs/results.md (--markdown)"
    )
    report.add_argument(
        "--markdown",
        action="store_true",
        help="write docs/results.md (what `make results` runs)",
    )
    report.add_argument("--build", type=Path, help="folder of report.json (default: build/)")
    report.add_argument(
        "--out", help="with --markdown: the file to write (default: docs/results.md; - for stdout)"
    )
    report.set_defaults(func=_report)

    release = sub.add_parser("release", help="write student notebooks (solutions removed)")
    release.add_argument("--out", required=True, help="folder for the student notebooks")
    release.add_argument("lessons", nargs="*", help="default: all lessons")
    release.set_defaults(func=_release)

    site = sub.add_parser(
        "site", help="build/site/: the executed lessons as an offline website (runs stale ones)"
    )
    site.add_argument(
        "--profile", choices=PROFILES, help="for lessons that must run first (default: quick)"
    )
    site.add_argument("--out", type=Path, help="build folder (default: build/)")
    site.set_defaults(func=_site)

    metadata = sub.add_parser(
        "metadata", help="write nbgrader cell metadata derived from the exercise markers"
    )
    metadata.add_argument("lessons", nargs="*", help="default: all lessons")
    metadata.add_argument(
        "--check",
        action="store_true",
        help="change nothing; fail where metadata and markers differ",
    )
    metadata.set_defaults(func=_metadata)

    sub.add_parser("lab", help="open JupyterLab on lessons/").set_defaults(func=_lab)
    return parser


def main(argv=None) -> int:
    """Entry point of the `course` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "report" and args.out and not args.markdown:
        parser.error("course report: --out needs --markdown")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
