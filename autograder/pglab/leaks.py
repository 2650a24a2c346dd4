"""What must never ship to students: the release leak check.

``release_leaks(course, name)`` lists every problem in ``release/<name>/``: nbgrader's
solution, hidden-test or mark-scheme markers; the grading package (its name, or an import of
it); a probe seed; a line of the instructor's solution code; the TA rubric. ``pglab release``
and ``pglab release --check`` fail on any, and ``tests/test_release.py`` runs the same
function, so the command and the test cannot drift apart.

It also lists every *formula leak*: a distinctive fragment of a result a graded function
computes (``LEAK_FRAGMENTS``), found in any cell of the student notebook (markdown,
docstrings, given code, visible tests). Students derive those results; the release must not
state them. Text and fragments are compared after ``normalise`` (case, whitespace, LaTeX
markup, ``**``/``^``, ``np.``, Greek letters), so ``a - \\sigma(\\theta)`` in markdown and
``a - sigmoid(theta)`` in a docstring are the same leak.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat

from pglab.assignments import ASSIGNMENTS
from pglab.submissions import SOLUTION_MARKERS

MARKERS = (
    "BEGIN SOLUTION",
    "END SOLUTION",
    "BEGIN HIDDEN TESTS",
    "END HIDDEN TESTS",
    "BEGIN MARK SCHEME",
    "END MARK SCHEME",
)
PACKAGE = "pglab"
RUBRIC = "Rubric"
SHORTEST_SOLUTION_LINE = 16  # shorter solution lines ("return p", "else:") prove nothing

#: Per assignment, per graded function (or written-answer grade id): fragments of the result
#: the student derives. Written as they would appear in a docstring or in LaTeX; both are
#: compared after ``normalise``. A fragment must be distinctive: the definition of the
#: quantity (what the docstring may state) must not contain it.
LEAK_FRAGMENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "reinforce": {
        "log_prob": (
            "-log(1 + exp(-theta))",
            "-log(1 + exp(theta))",
            r"-\log(1 + e^{-\theta})",
            r"-\log(1 + e^{\theta})",
            "logaddexp(0",
        ),
        "grad_log_prob": (
            "a - sigmoid",
            "actions - sigmoid",
            r"a - \sigma",
            r"\sigma(1-\sigma) + (1-\sigma)(-\sigma)",
        ),
        "expected_reward": (
            r"(1-\sigma(\theta))\,\mu_0 + \sigma(\theta)\,\mu_1",
            "sigmoid(-theta) * means[0]",
            "sigmoid(theta) * means[1]",
            r"(1-p)\,\mu_0 + p\,\mu_1",
            "(1 - p) * means[0] + p * means[1]",
            r"\mu_0 + \sigma(\theta)\,(\mu_1 - \mu_0)",
            "means[0] + sigmoid(theta) * (means[1] - means[0])",
        ),
        "analytic_gradient": (
            r"\sigma(\theta)\,(1-\sigma(\theta))",
            "sigmoid(theta) * (1 - sigmoid(theta))",
            "sigmoid(theta) * sigmoid(-theta)",
            r"\sigma(1-\sigma)",
            "s * (1 - s)",
            "s(1 - s)",
            "p * (1 - p)",
            "p(1 - p)",
            r"(\mu_1 - \mu_0)\,\sigma",
            "(means[1] - means[0]) * sigmoid",
            "(means[1] - means[0]) * s",
        ),
        "estimator_variance": (
            "score(a)^2",
            "(means[a] - b)^2 + stds[a]^2",
            r"(\mu_a - b)^2 + \sigma_a^2",
            "- (dJ/dtheta)^2",
            r"- \big(\nabla_\theta J\big)^2",
        ),
        "optimal_baseline": (
            "score^2",
            r"(\nabla\log\pi)^2",
            r"(\nabla_\theta\log\pi_\theta(a))^2",
        ),
        "leave_one_out_baseline": (
            "(sum_j r_j - r_i) / (n - 1)",
            "rewards.sum() - rewards",
            r"(1 - 1/n)\,\nabla J",
        ),
    },
    "rewards_to_go": {
        "softmax": (
            "theta - theta.max(",
            "theta - np.max(theta",
            r"\theta - \max",
            "subtract the largest",
            "subtract the maximum",
        ),
        "log_softmax": (
            "theta - log(sum(exp(theta",
            "theta - logsumexp(",
            "theta - scipy.special.logsumexp(",
            r"\theta_a - \log \sum_b e^{\theta_b}",
            "logaddexp.reduce",
        ),
        "grad_log_softmax": (
            "one_hot(a) - pi",
            "one_hot(actions[i]) - softmax",
            r"e_a - \pi",
            r"1[a = b] - \pi",
            r"\delta_{ab} - \pi",
        ),
        "expected_reward": ("softmax(theta) @ means", "pi @ means"),
        "exact_gradient": (
            "(e_a - pi) means[a]",
            r"(e_a - \pi_\theta)\,\mu_a",
            "pi * (means - pi @ means)",
            r"\pi_a (\mu_a - J)",
            r"\pi_\theta(a) (\mu_a - J",
        ),
        "reinforce_estimates": (
            "(one_hot(a_i) - pi",
            r"(e_a - \pi_\theta)\, r",
            r"(e_{a_i} - \pi_\theta)",
        ),
        "discounted_returns": ("rewards @ (gamma", "rewards @ gamma"),
        "rewards_to_go": (
            "r_t + gamma",
            r"r_t + \gamma",
            "G_{t+1}",
            "G_{T-1} = r_{T-1}",
            "rewards[:, t] + gamma",
        ),
        "step_scores": (
            "one_hot(actions[i, t]) - softmax",
            r"e_{a_t} - \pi",
        ),
        "reinforce_total_return": (
            "(sum_t score_t) * G_0",
            r"(\sum_t \nabla\log\pi(a_t\mid s_t))\, G_0",
        ),
        "reinforce_rewards_to_go": (
            "gamma^t * score_t",
            r"\gamma^t\, \nabla\log\pi(a_t\mid s_t)",
            r"\gamma^t G_t",
        ),
        "state_values": (
            r"R[s, a] + \gamma \sum_{s'} P[s, a, s']",
            "V_{t+1}(s')",
            "mdp.R + mdp.gamma * mdp.P",
            r"\sum_a \pi(a\mid s)\, Q_t(s, a)",
        ),
        "reinforce_value_baseline": ("(G_t - V_t(s_t))",),
        "answer_trajectory_gradient": (
            r"\nabla_\theta \log p_\theta(\tau) = \sum_t",
            "dynamics do not depend on",
        ),
        "answer_causality": (
            "cannot influence rewards that came before",
            r"r_k\, \mathbb E_{a_t\sim\pi(\cdot\mid s_t)}",
        ),
    },
    "actor_critic": {
        "surrogate_loss": (
            "advantages.detach(",
            "log_softmax(logits",
            "log_softmax(logits, dim=-1)[states, actions]",
        ),
        "fit_critic_monte_carlo": (
            "mean of G_t",
            "average of G_t",
            "mean of the rewards-to-go",
            "average of the rewards-to-go",
            "mean of the returns",
        ),
        "critic_td_loss": ("target.detach(", "targets.detach(", "following.detach("),
        "fit_critic_td0": (
            "backwards in t",
            "backward in t",
            "mean of the targets",
            "average of the targets",
            "mean of r_t + gamma",
        ),
        "n_step_advantages": ("min(n_steps, T - t)", "min(n, T - t)", "min(T - t, n"),
        "gae_advantages": (
            r"\delta_t + \gamma\lambda",
            "delta_t + gamma * lam",
            "delta_t + gamma lambda",
            "delta[:, t] + gamma * lam",
        ),
        "advantage_bias_variance": (
            'einsum("m,msa->sa", p',
            "tensordot(p, g",
            "p @ (g - mean)",
        ),
        "written_q_form": (
            r"\mathbb E[G_t \mid h_t, a_t] = Q_t",
            r"\sum_a \pi\nabla\log\pi = \nabla\sum_a\pi",
        ),
        "written_true_v_unbiased": (
            r"\mathbb E[\delta_{t+k}\mid h_t, a_t] = 0",
            "later TD errors have conditional mean zero",
        ),
    },
}

_LATEX_SPACING = re.compile(
    r"\\(?:[,;:! ]|quad|qquad|left|right|bigg?[lr]?|Bigg?[lr]?)(?![a-zA-Z])"
)
_GREEK = {"σ": "sigma", "θ": "theta", "π": "pi", "μ": "mu", "∇": "nabla", "²": "^2"}


def normalise(text: str) -> str:
    """Text reduced so notation variants of one formula compare equal: Greek letters and LaTeX
    commands as words, ``**`` as ``^``, ``sigmoid`` as ``sigma``, no ``np.``/``math.``, no
    LaTeX spacing or sizing, braces, backslashes, whitespace or case."""
    for letter, word in _GREEK.items():
        text = text.replace(letter, word)
    text = _LATEX_SPACING.sub("", text)
    text = text.replace("**", "^").replace("\\", "")
    text = re.sub(r"\b(?:np|numpy|math)\.", "", text)
    text = re.sub(r"[{}\s]", "", text).lower()
    return text.replace("sigmoid", "sigma").replace("mathbb", "")


def formula_leaks(name: str, text: str, where: str = "") -> list[str]:
    """The fragments of ``name``'s graded results that ``text`` states, one line each."""
    flat = normalise(text)
    return [
        f"{where}states the result of {function}: {fragment!r}"
        for function, fragments in LEAK_FRAGMENTS.get(name, {}).items()
        for fragment in fragments
        if normalise(fragment) in flat
    ]


def seeds(name: str) -> set[str]:
    assignment = ASSIGNMENTS.get(name)
    return {str(probe.seed) for probe in assignment.probes.values()} if assignment else set()


def solution_lines(source: nbformat.NotebookNode) -> set[str]:
    """Distinctive lines between nbgrader's solution markers in the source notebook: exactly
    what generate_assignment replaces with a stub."""
    found, inside = set(), False
    for cell in source.cells:
        if cell.cell_type != "code" or not cell.metadata.get("nbgrader", {}).get("solution"):
            continue
        for line in cell.source.splitlines():
            stripped = line.strip()
            if stripped == SOLUTION_MARKERS[0]:
                inside = True
            elif stripped == SOLUTION_MARKERS[1]:
                inside = False
            elif (
                inside and len(stripped) >= SHORTEST_SOLUTION_LINE and not stripped.startswith("#")
            ):
                found.add(stripped)
    return found


def _imports_package(code: str) -> bool:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(
            a.name.split(".")[0] == PACKAGE for a in node.names
        ):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == PACKAGE:
            return True
    return False


def file_leaks(
    path: Path,
    secrets: set[str],
    solution: set[str],
    allow_rubric: bool = False,
    assignment: str | None = None,
) -> list[str]:
    """Problems in one shipped file (notebooks are checked cell by cell, other files as text)."""
    text = path.read_text(errors="replace")
    found = [f"{path}: contains nbgrader's {m!r} marker" for m in MARKERS if m in text]
    if PACKAGE in text:
        found.append(f"{path}: mentions the grading package {PACKAGE!r}")
    found += [f"{path}: contains the probe seed {s}" for s in sorted(secrets) if s in text]
    if RUBRIC in text and not allow_rubric:
        found.append(f"{path}: contains the TA rubric")
    sources = [text]
    if path.suffix == ".ipynb":
        sources = [c.source for c in nbformat.read(path, as_version=4).cells]
    for index, source in enumerate(sources):
        if assignment:
            where = f"{path}: cell {index} " if path.suffix == ".ipynb" else f"{path}: "
            found += formula_leaks(assignment, source, where)
        if path.suffix in (".ipynb", ".py") and _imports_package(source):
            found.append(f"{path}: imports the grading package")
        lines = {line.strip() for line in source.splitlines()}
        found += [f"{path}: contains solution code: {line!r}" for line in sorted(solution & lines)]
    return found


def release_leaks(course: Path, name: str, tree: str = "release") -> list[str]:
    """Every leak in ``<course>/<tree>/<name>/`` (tree "solutions" may carry the rubric and,
    being the published solution, its code)."""
    source = nbformat.read(course / "source" / name / f"{name}.ipynb", as_version=4)
    folder = course / tree / name
    if not folder.is_dir():
        return [f"{folder}: missing"]
    solution = solution_lines(source) if tree == "release" else set()
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        found += file_leaks(
            path,
            seeds(name),
            solution,
            allow_rubric=tree == "solutions",
            assignment=name if tree == "release" else None,
        )
    return found
