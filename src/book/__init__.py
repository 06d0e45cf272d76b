"""The book's code: one package that the commands, docs/conf.py, the Sphinx extensions
(book.sphinxext) and the tests import.

`make` installs it into .venv in editable mode (src/book/setup_env.py), so a change here is
live at once. A command is a module run with `python -m book.<name>` (see the Makefile);
a copy of the project (tests, benchmark) runs its own code with PYTHONPATH=<copy>/src
(book.worktree.environment).
"""
