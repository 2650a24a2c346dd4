"""Make what a student's notebook shows safe to open: feedback pages and formgrader render it
as HTML in a TA's or a student's browser, where a ``<script>`` in an output, or an
``onerror=`` in a written answer, would run with their session.

nbconvert's ``SanitizeHTML`` (bleach) does the work, on what the student controls only:

- the outputs of every code cell as the student's kernel left them (this step runs before
  the verdicts are written): ``text/html`` and ``text/markdown`` are cleaned, JavaScript and
  every other type that could run code (SVG, widgets) are removed; text, LaTeX, JSON, PNG and
  JPEG are kept as they are;
- Markdown the student wrote (written answers, cells they added) that holds HTML able to run
  code or load something: that cell is cleaned. Other Markdown is left exactly as written,
  since bleach would also escape the ``<`` of an inequality in a formula.

The lesson's own cells (restored from the source before this step) are not touched: their
hints are ``<details>`` blocks, which bleach would escape.
"""

from __future__ import annotations

import re

from nbconvert.preprocessors.sanitize import SanitizeHTML
from traitlets import Bool, List, Set, Unicode

from pglab.probes.runtime import RECORD_MIME

#: HTML in Markdown that can run code or fetch something when rendered.
ACTIVE_HTML = re.compile(
    r"<\s*/?\s*(script|iframe|frame|object|embed|applet|style|svg|math|img|image|video|audio"
    r"|source|track|link|meta|base|form|input|button|textarea|select|details|template)\b"
    r"|\bon[a-z]+\s*=|javascript\s*:|data\s*:\s*text/html",
    re.IGNORECASE,
)


class SanitizeStudentHTML(SanitizeHTML):
    """Clean the HTML a student controls (their kernel's outputs; Markdown they wrote that holds
    active HTML) with nbconvert's SanitizeHTML, before feedback pages or formgrader show it."""

    enabled = Bool(
        True,
        help="Clean the HTML of students' outputs and written answers before they are shown "
        "to anyone. Turn off only where every student is trusted.",
    ).tag(config=True)
    tags = List(
        Unicode(),
        default_value=[
            *(
                "a abbr acronym b blockquote br code div em h1 h2 h3 h4 h5 h6 hr i li ol p pre"
                " span strong sub sup ul table thead tbody tfoot tr th td caption"
            ).split()
        ],
        help="HTML tags kept in a student's HTML outputs and written answers (others are "
        "escaped, shown as text): formatting and the tables pandas draws.",
    ).tag(config=True)

    safe_output_keys = Set(
        default_value={
            "metadata",
            "text/plain",
            "text/latex",
            "application/json",
            "image/png",
            "image/jpeg",
            RECORD_MIME,  # the probes' signed records, which the verdicts are judged from
        },
        help="Output types kept as they are (nbconvert's SanitizeHTML's, and pglab's probe "
        "records); text/html and text/markdown are cleaned, every other type removed.",
    ).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.outputs = self.sanitize_code_outputs(cell.outputs)
        elif cell.cell_type in ("markdown", "raw") and self._students(cell):
            if ACTIVE_HTML.search(cell.source):
                cell.source = self.sanitize_html_tags(cell.source)
        return cell, resources

    @staticmethod
    def _students(cell) -> bool:
        """A cell whose text is the student's: a written answer, or a cell they added."""
        nbgrader = cell.metadata.get("nbgrader", {})
        return bool(nbgrader.get("solution")) or not nbgrader
