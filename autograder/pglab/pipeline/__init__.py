"""``pglab grade``: from a folder of submissions to grades, feedback, CSVs and a class report."""
