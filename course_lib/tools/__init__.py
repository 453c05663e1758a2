"""The course machinery (the top floor of course_lib), kept apart from the concept modules a
lesson teaches with; nothing outside tools/ imports it except the package face.

lesson (start-up of a lesson), profiles (smoke | quick | full and the lesson config files),
checks (self-checks against a lesson's [targets]), env (`course doctor`), data_commands
(`course data status|fetch|import`), runner (`course run`), report (report.json and
docs/results.md), site (`course site`), release and grading (nbgrader), cli (the `course`
command) and pytest_plugin (seconds per lesson under nbval).
"""
