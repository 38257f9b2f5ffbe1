"""One way to print an object: a heading and ``* Key: value`` lines, as text and as HTML.

Tasks, learners, measures, resamplings, resample results, PipeOps and model descriptors show
themselves the same way. A class says what to show (:meth:`SummaryRepr._summary_head` and
:meth:`SummaryRepr._summary_lines`); :class:`SummaryRepr` turns that into ``__repr__`` and
``_repr_html_``, escaping every user-given string (ids, labels, parameter values) in the HTML.
"""

from __future__ import annotations

import html

__all__ = ["SummaryRepr"]


class SummaryRepr:
    """Mixin: ``__repr__`` and ``_repr_html_`` from a heading and summary lines.

    Subclasses define :meth:`_summary_head` (the name, shown in bold, and the text after it),
    :meth:`_summary_lines` (``"* Key: value"`` lines; nested lines are indented) and, for
    extra HTML after the list such as a table, :meth:`_summary_html_extra`.

    Examples
    --------
    >>> class Box(SummaryRepr):
    ...     _html_class = "jt-box"
    ...     def _summary_head(self):
    ...         return "Box:<b>", ": a label"
    ...     def _summary_lines(self):
    ...         return ["* Size: 3"]
    >>> print(repr(Box()))
    <Box:<b>>: a label
    * Size: 3
    >>> Box()._repr_html_()
    "<div class='jt-box'><b>Box:&lt;b&gt;</b>: a label<ul><li>Size: 3</li></ul></div>"
    """

    _html_class = "jt-object"

    def _summary_head(self) -> tuple[str, str]:
        """Return the name (``"LearnerRegrRpart:regr.rpart"``) and the plain text that follows it (``": label"``)."""
        own_id, label = getattr(self, "id", None), getattr(self, "label", "")
        name = f"{type(self).__name__}:{own_id}" if own_id else type(self).__name__
        return name, f": {label}" if label else ""

    def _summary_lines(self) -> list[str]:
        """Return the ``"* Key: value"`` lines under the heading."""
        return []

    def _summary_html_extra(self) -> str:
        """Return HTML shown after the list (already escaped); none by default."""
        return ""

    def __repr__(self) -> str:
        name, rest = self._summary_head()
        return "\n".join([f"<{name}>{rest}", *self._summary_lines()])

    def _repr_html_(self) -> str:
        name, rest = self._summary_head()
        items = "".join(f"<li>{html.escape(line.lstrip('* '))}</li>" for line in self._summary_lines())
        return (
            f"<div class='{self._html_class}'><b>{html.escape(name)}</b>{html.escape(rest)}"
            f"<ul>{items}</ul>{self._summary_html_extra()}</div>"
        )
