"""``TorchDescriptor``: a torch class (or factory) together with the ParamSet of its arguments.

Losses and optimizers are configured before the network exists (an optimizer needs the
network's parameters, a class-weighted loss needs the task), so learners hold descriptors and
build the real objects at train time with :meth:`TorchDescriptor.generate`. The parameters of a
descriptor appear in a learner's ParamSet under a prefix (``loss__*``, ``opt__*``).
"""

from __future__ import annotations

import copy
import html
from collections.abc import Callable, Iterable
from typing import Any

from jupytorch.core.paramset import ParamSet
from jupytorch.core.signature import params_from_signature, signature_names

__all__ = ["TorchDescriptor"]


class TorchDescriptor:
    """A generator (class or function) with the parameters it will be called with.

    Parameters
    ----------
    generator : callable
        Called by :meth:`generate` with the set parameter values (and the context arguments its
        signature names, such as ``params`` for optimizers).
    id : str, optional
        Short name; default: the generator's name.
    param_set : ParamSet, optional
        Default: read from the generator's signature, leaving out ``exclude``.
    label : str
        A longer name for printers.
    exclude : iterable of str
        Signature names that are not parameters (filled in by :meth:`generate`).
    key : str, optional
        The registry key this descriptor was made from (used when saving learners).

    Examples
    --------
    >>> import torch
    >>> d = TorchDescriptor(torch.nn.Dropout, id="dropout")
    >>> d.param_set.set_values(p=0.3)
    <ParamSet of TorchDescriptor 'dropout' (2 parameters)>
      p: float = 0.3
      inplace: logical
    >>> d.generate()
    Dropout(p=0.3, inplace=False)
    """

    kind = "TorchDescriptor"

    def __init__(
        self,
        generator: Callable[..., Any],
        id: str | None = None,
        param_set: ParamSet | None = None,
        label: str = "",
        exclude: Iterable[str] = (),
        key: str | None = None,
    ):
        if not callable(generator):
            raise TypeError(f"{self.kind}: the generator must be a class or function, got {type(generator).__name__}.")
        self.generator = generator
        self.id = id or getattr(generator, "__name__", type(generator).__name__)
        self.param_set = param_set if param_set is not None else params_from_signature(generator, exclude)
        self.param_set.owner = f"{self.kind} {self.id!r}"
        self.label = label
        self.key = key

    def configure(self, **values: Any) -> TorchDescriptor:
        """Set parameter values; returns the descriptor."""
        self.param_set.set_values(**values)
        return self

    def _call_values(self, param_values: dict[str, Any] | None) -> dict[str, Any]:
        return dict(self.param_set.get_values(tune_tokens=False) if param_values is None else param_values)

    def generate(self, param_values: dict[str, Any] | None = None, **context: Any) -> Any:
        """Call the generator with the parameter values and the ``context`` names it accepts.

        Parameters
        ----------
        param_values : dict, optional
            Values to use instead of those set on the ParamSet (a learner passes its own copy).
        **context
            Extra arguments (``params=...``, ``task=...``); each is passed only if the
            generator's signature names it.
        """
        values = self._call_values(param_values)
        names = signature_names(self.generator)
        extra = {k: v for k, v in context.items() if names is None or k in names}
        return self.generator(**values, **extra)

    def clone(self) -> TorchDescriptor:
        """Return an independent copy."""
        return copy.deepcopy(self)

    def __repr__(self) -> str:
        values = self.param_set.values
        shown = ", ".join(f"{k}={v!r}" for k, v in values.items())
        label = f": {self.label}" if self.label else ""
        return f"<{type(self).__name__}:{self.id}>{label}" + (f" ({shown})" if shown else "")

    def _repr_html_(self) -> str:
        return f"<code>{html.escape(repr(self))}</code>"
