"""The PipeOp base class: one typed step of a Graph, trained and then used to predict.

Extending
---------
A PipeOp subclass declares, in its constructor, a ``ParamSet`` and its channels, and overrides
two hooks::

    class PipeOpDouble(PipeOp):
        kind = "preprocessing"

        def __init__(self, id: str = "double", param_vals: dict | None = None):
            super().__init__(id, param_set=ParamSet({"factor": ParamDbl(default=2.0)}),
                             param_vals=param_vals,
                             input=[("input", "Task", "Task")], output=[("output", "Task", "Task")])

        def _train(self, inputs: list) -> list:
            self.state = {"factor": self.param_values()["factor"]}   # all that training leaves
            return self._predict(inputs)

        def _predict(self, inputs: list) -> list:
            ...                                                    # uses self.state only
            return [new_task]

Rules of the contract:

- ``train()`` and ``predict()`` are final: they check the input types against the channels, call
  the hooks, check the outputs, reset ``state`` when training fails with an error (an interrupt
  keeps what was learned) and add "This happened in PipeOp '<id>' during train()" to errors.
  Hooks get and return lists, one entry per channel (a vararg channel ``"..."`` takes any number
  of entries in its place). Required parameters and ``to_tune()`` tokens are checked before
  ``_train`` runs; hooks read values with ``self.param_values()`` (defaults overlaid with set values).
- Channel types are class names (see :mod:`jupytorch.pipelines.channels`): ``"Task"``,
  ``"ModelDescriptor"``, ``"Prediction"``, ``"NULL"``, ``"*"``. ``Graph.add_edge`` checks them when
  ops are joined; declare a new type's parent with ``register_channel_type`` and what fits
  between two types with ``register_channel_hint``.
- If all inputs are ``NO_OP`` (an unselected branch) the op is skipped: its state becomes
  ``NO_OP`` and it outputs ``NO_OP``; hooks never see NO_OP unless ``accepts_noop = True``.
- Learned values live only in ``state`` (``None`` until trained). A hook that sets no state leaves
  ``{}``. Never change the input objects: clone a Task before changing it.
- Every constructor takes ``id`` (and ``param_vals``); ``po("key", id=..., **params)`` relies on it.
- ``kind`` (class attribute) says what the node is for the graph views: ``"preprocessing"``,
  ``"learner"``, ``"ingress"``, ``"layer"``, ``"loss"``, ``"optimizer"``, ``"callbacks"``,
  ``"model"``, ``"meta"``. ``tags`` lists further properties (mlr3's PipeOp tags).
- ``edge_label(channel)`` may return a short string (a tensor shape such as ``"(None, 10)"``) that
  graph views show on the edges leaving ``channel``; the default is ``None``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import pandas as pd

from jupytorch.core.exceptions import InvalidParameterError, NotTrainedError, add_note
from jupytorch.core.paramset import SEP, ParamSet
from jupytorch.core.summary import SummaryRepr
from jupytorch.pipelines.channels import (
    NO_OP,
    Channel,
    ChannelTypeError,
    as_channels,
    type_name_of,
    value_has_type,
)

__all__ = ["PipeOp", "check_pipeop_id", "add_note"]

_DEFAULT_CHANNELS = (("input", "*", "*"),)
_DEFAULT_OUT = (("output", "*", "*"),)


def check_pipeop_id(id: Any) -> str:
    """Check that ``id`` can name a PipeOp (and prefix its parameters): a plain string."""
    if not isinstance(id, str) or not id:
        raise InvalidParameterError(f"A PipeOp id must be a non-empty string, got {id!r}.")
    if SEP in id or "." in id:
        suggestion = id.replace(".", "_")
        while SEP in suggestion:
            suggestion = suggestion.replace(SEP, "_")
        raise InvalidParameterError(
            f"PipeOp id {id!r} may not contain '.' or '{SEP}' (they join parameter ids such as 'pca{SEP}rank'); "
            f"use e.g. {suggestion!r}."
        )
    return id


class PipeOp(SummaryRepr):
    """Base class of pipeline operators: typed channels, parameters, and a trained ``state``.

    Parameters
    ----------
    id : str
        Identifies the PipeOp in a Graph and prefixes its parameters there (``pca__rank``).
    param_set : ParamSet, optional
        The hyperparameters.
    param_vals : mapping, optional
        Initial parameter values.
    input, output : sequence of Channel or (name, train, predict) tuples
        The channels; ``"..."`` as an input name takes any number of inputs.
    label : str, optional
        A short description shown in printers and graph views.

    Attributes
    ----------
    state : object or None
        What training learned; ``None`` until trained.

    Examples
    --------
    >>> from jupytorch import po, tsk
    >>> op = po("scale")
    >>> op.input
        name train predict
    0  input  Task    Task
    >>> task = op.train([tsk("mtcars")])[0]
    >>> op.is_trained
    True
    """

    kind: ClassVar[str] = "generic"
    tags: ClassVar[tuple[str, ...]] = ()
    #: ops with this flag see NO_OP inputs next to real ones (po("unbranch")); others skip all-NO_OP input
    accepts_noop: ClassVar[bool] = False

    def __init__(
        self,
        id: str,
        param_set: ParamSet | None = None,
        param_vals: Mapping[str, Any] | None = None,
        input: Sequence[Channel | tuple[str, str, str]] = _DEFAULT_CHANNELS,
        output: Sequence[Channel | tuple[str, str, str]] = _DEFAULT_OUT,
        label: str = "",
    ):
        self._id = check_pipeop_id(id)
        self._param_set = param_set if param_set is not None else ParamSet()
        self._set_owner()
        self._input = as_channels(input)
        self._output = as_channels(output)
        if any(c.is_vararg for c in self._output):
            raise ChannelTypeError(f"PipeOp {id!r}: output channels cannot be varargs ('...').")
        if sum(c.is_vararg for c in self._input) > 1:
            raise ChannelTypeError(f"PipeOp {id!r}: at most one input channel may be a vararg ('...').")
        self.label = label or (type(self).__doc__ or "").strip().split("\n")[0].rstrip(".")
        self.state: Any = None
        if param_vals:
            self.param_set.set_values(**dict(param_vals))

    # -- identity and parameters ------------------------------------------------------------------
    @property
    def id(self) -> str:
        """The PipeOp id (changing it inside a Graph: use ``graph.rename``/``update_ids``)."""
        return self._id

    @id.setter
    def id(self, value: str) -> None:
        self._id = check_pipeop_id(value)
        self._set_owner()

    @property
    def param_set(self) -> ParamSet:
        """The hyperparameters; values are set with ``param_set.set_values(...)``."""
        return self._param_set

    def _set_owner(self) -> None:
        ps = self.param_set
        if not ps.owner or ps.owner.startswith("PipeOp "):
            ps.owner = f"PipeOp {self._id!r}"

    def param_values(self, tags: Sequence[str] | None = None) -> dict[str, Any]:
        """Documented defaults overlaid with the set values (what hooks should read).

        Raises if a value is still a ``to_tune()`` token.
        """
        return self.param_set.get_values(tags=tags, tune_tokens=False, with_defaults=True)

    # -- channels -------------------------------------------------------------------------------
    @property
    def input_channels(self) -> tuple[Channel, ...]:
        """The input channels (fast access for graphs)."""
        return self._input

    @property
    def output_channels(self) -> tuple[Channel, ...]:
        """The output channels."""
        return self._output

    @property
    def input(self) -> pd.DataFrame:
        """Input channels as a table: name, train type, predict type."""
        return pd.DataFrame([tuple(c) for c in self._input], columns=["name", "train", "predict"])

    @property
    def output(self) -> pd.DataFrame:
        """Output channels as a table: name, train type, predict type."""
        return pd.DataFrame([tuple(c) for c in self._output], columns=["name", "train", "predict"])

    @property
    def innum(self) -> int:
        """Number of input channels."""
        return len(self._input)

    @property
    def outnum(self) -> int:
        """Number of output channels."""
        return len(self._output)

    def input_channel(self, name: str) -> Channel:
        """Return the input channel called ``name``."""
        return self._find(self._input, name, "input")

    def output_channel(self, name: str) -> Channel:
        """Return the output channel called ``name``."""
        return self._find(self._output, name, "output")

    def _find(self, channels: tuple[Channel, ...], name: str, what: str) -> Channel:
        for channel in channels:
            if channel.name == name:
                return channel
        from jupytorch.core.exceptions import did_you_mean

        names = [c.name for c in channels]
        raise ChannelTypeError(
            f"PipeOp {self.id!r} has no {what} channel {name!r}.{did_you_mean(name, names)} Its {what} channels: {names}."
        )

    def edge_label(self, channel: str) -> str | None:
        """A short label for edges leaving output ``channel`` (a shape for network layers), or None."""
        return None

    # -- state --------------------------------------------------------------------------------
    @property
    def is_trained(self) -> bool:
        """Whether the PipeOp holds a trained state."""
        return self.state is not None

    def reset(self) -> PipeOp:
        """Forget the trained state; returns the PipeOp."""
        self.state = None
        return self

    # -- train / predict (final template methods) -------------------------------------------
    def train(self, inputs: Sequence[Any]) -> list[Any]:
        """Train on ``inputs`` (a list, one entry per input channel) and return the outputs.

        Examples
        --------
        >>> from jupytorch import po, tsk
        >>> out = po("pca", rank=2).train([tsk("mtcars")])
        >>> out[0].feature_names
        ['PC1', 'PC2']
        """
        inputs = self._check_inputs(inputs, "train")
        if inputs and all(x is NO_OP for x in inputs):
            self.state = NO_OP
            return [NO_OP] * self.outnum
        self._check_noop(inputs, "train")
        self.state = None
        try:
            self.param_set.get_values(check_required=True, tune_tokens=False)
            outputs = self._train(list(inputs))
            outputs = self._check_outputs(outputs, "train")
        except BaseException as error:
            if isinstance(error, Exception):  # an interrupt (Ctrl-C) keeps what training got to
                self.state = None
            add_note(error, f"This happened in PipeOp {self.id!r} during train().")
            raise
        if self.state is None:
            self.state = {}
        return outputs

    def predict(self, inputs: Sequence[Any]) -> list[Any]:
        """Apply the trained PipeOp to ``inputs`` and return the outputs."""
        inputs = self._check_inputs(inputs, "predict")
        if inputs and all(x is NO_OP for x in inputs):
            return [NO_OP] * self.outnum
        if self.state is None:
            raise NotTrainedError(
                f"PipeOp {self.id!r} has not been trained yet; train it (or the Graph or learner that holds it) "
                "before predict()."
            )
        if self.state is NO_OP:
            raise NotTrainedError(
                f"PipeOp {self.id!r} was skipped during train() (it lies on a branch path that was not selected), "
                "but got real input during predict(); train again after changing the branch selection."
            )
        self._check_noop(inputs, "predict")
        try:
            outputs = self._predict(list(inputs))
            return self._check_outputs(outputs, "predict")
        except BaseException as error:
            add_note(error, f"This happened in PipeOp {self.id!r} during predict().")
            raise

    def _train(self, inputs: list[Any]) -> list[Any]:
        """Hook: learn ``self.state`` from ``inputs`` and return the outputs."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _train().")

    def _predict(self, inputs: list[Any]) -> list[Any]:
        """Hook: use ``self.state`` to turn ``inputs`` into outputs."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _predict().")

    # -- checks ---------------------------------------------------------------------------------
    def channel_of_inputs(self, n: int) -> list[Channel]:
        """The channel of each of ``n`` inputs (a vararg channel takes the surplus)."""
        channels = list(self._input)
        vararg = [i for i, c in enumerate(channels) if c.is_vararg]
        if not vararg:
            return channels if n == len(channels) else []
        k = vararg[0]
        fixed = len(channels) - 1
        if n < fixed:
            return []
        return channels[:k] + [channels[k]] * (n - fixed) + channels[k + 1:]

    def _check_inputs(self, inputs: Sequence[Any], phase: str) -> list[Any]:
        if not isinstance(inputs, (list, tuple)):
            raise ChannelTypeError(
                f"PipeOp {self.id!r}: {phase}() takes a list of inputs, one per input channel "
                f"({[c.name for c in self._input]}); got a {type(inputs).__name__}. Write op.{phase}([x])."
            )
        inputs = list(inputs)
        channels = self.channel_of_inputs(len(inputs))
        if not channels and (inputs or self._input):
            names = [c.name for c in self._input]
            raise ChannelTypeError(
                f"PipeOp {self.id!r}: {phase}() got {len(inputs)} input(s), but it has the input channels {names}."
            )
        for value, channel in zip(inputs, channels):
            wanted = channel.type_in(phase)
            if not value_has_type(value, wanted):
                raise ChannelTypeError(
                    f"PipeOp {self.id!r}: input channel {channel.name!r} expects a {wanted} during {phase}(), "
                    f"got {type_name_of(value)}."
                )
        return inputs

    def _check_noop(self, inputs: list[Any], phase: str) -> None:
        if not self.accepts_noop and any(x is NO_OP for x in inputs):
            raise ChannelTypeError(
                f"PipeOp {self.id!r} got NO_OP (the marker of an unselected branch path) on some inputs but not "
                f"on others during {phase}(); join the paths of a po('branch') with po('unbranch') first."
            )

    def _check_outputs(self, outputs: Any, phase: str) -> list[Any]:
        if not isinstance(outputs, (list, tuple)) or len(outputs) != len(self._output):
            raise ChannelTypeError(
                f"PipeOp {self.id!r}: _{phase}() must return a list with one entry per output channel "
                f"({[c.name for c in self._output]}), got {outputs!r:.100}."
            )
        for value, channel in zip(outputs, self._output):
            wanted = channel.type_in(phase)
            if not value_has_type(value, wanted):
                raise ChannelTypeError(
                    f"PipeOp {self.id!r}: output channel {channel.name!r} should carry a {wanted} during {phase}(), "
                    f"but the PipeOp produced {type_name_of(value)}."
                )
        return list(outputs)

    # -- joining into graphs ----------------------------------------------------------------
    def __rshift__(self, other: Any) -> Any:
        from jupytorch.pipelines.graph import chain

        return chain(self, other)

    def __rrshift__(self, other: Any) -> Any:
        from jupytorch.pipelines.graph import chain

        return chain(other, self)

    # -- copying and display -----------------------------------------------------------------
    def clone(self, deep: bool = True) -> PipeOp:
        """Return a copy (with its state, if trained)."""
        return copy.deepcopy(self) if deep else copy.copy(self)

    def _state_text(self) -> str:
        if self.state is NO_OP:
            return "skipped (NO_OP)"
        return "trained" if self.is_trained else "not trained"

    def _summary_lines(self) -> list[str]:
        values = self.param_set.values
        shown = ", ".join(f"{k}={_short(v)}" for k, v in values.items()) or "-"

        def chans(cs: tuple[Channel, ...]) -> str:
            return ", ".join(f"{c.name} [{c.train}, {c.predict}]" for c in cs) or "-"

        return [f"* Parameters: {shown}", f"* Input: {chans(self._input)}", f"* Output: {chans(self._output)}"]

    _html_class = "jt-pipeop"

    def _summary_head(self) -> tuple[str, str]:
        return f"{type(self).__name__}:{self.id}", f" ({self._state_text()})"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        """In a notebook kernel: the graph inspector widget (``jupytorch.core.display``); else None."""
        from jupytorch.core.display import rich_mimebundle

        return rich_mimebundle(self, include, exclude)



def _short(value: Any) -> str:
    text = value.__name__ if isinstance(value, type) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
