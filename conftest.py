# Loads the grading plugin (points, feedback, the `submission` fixture); see autograder/plugin.py.
pytest_plugins = ["autograder.plugin"]
