"""The validator behind ``validate.py``: OWL RL closure, SHACL, hygiene and saved checks,
the report with its renderings, and the command line."""
