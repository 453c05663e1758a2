"""The course machinery, kept apart from the concept modules a lesson teaches with.

lesson (start-up of a lesson), profiles (smoke | quick | full and budgets.toml), checks
(self-checks against targets.toml), files (atomic writes, the TOML loader), paths, env
(`course doctor`), runner (`course run`), release (`course release`), cli (the `course`
command) and pytest_plugin (seconds per lesson under nbval).
"""
