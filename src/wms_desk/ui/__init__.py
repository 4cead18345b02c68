"""The Qt front end: the only package that imports PySide6."""

from wms_desk.ui.pyside_imports import speed_up_import_check

# First thing, before the rest of the app is imported: PySide6 checks every later import.
speed_up_import_check()
