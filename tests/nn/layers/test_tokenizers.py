"""Tokenizers of the FT-Transformer and one-hot codes (jupytorch/nn/layers/tokenizers.py): nn("tokenizer_num"),
nn("tokenizer_categ"), nn("ft_cls"), nn("one_hot").
"""

from __future__ import annotations

import pandas as pd
import pytest
import torch

import jupytorch as jt
from jupytorch import nn, po
from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.nn.layers.tokenizers import CLSToken, OneHot, TokenizerCateg, TokenizerNum

from ..conftest import fails_to_build
from .conftest import built_module, check_shape_case, layer_keys, run_layer, shape_cases

CASES = [
    ("tokenizer_num", lambda: nn("tokenizer_num", d_token=4), [(None, 3)], (None, 3, 4)),
    ("ft_cls", lambda: nn("ft_cls"), [(None, 3, 4)], (None, 4, 4)),
]


@pytest.fixture
def categ_task():
    """Two factor-like features: ``colour`` (3 levels) and ``flag`` (logical, 2)."""
    frame = pd.DataFrame({"colour": pd.Categorical(["red", "blue", "red", "green"]), "flag": [True, False, True, True],
                          "a": [1.0, 2.0, 3.0, 4.0], "y": [1.0, 2.0, 3.0, 4.0]})
    return jt.as_task_regr(frame, target="y", id="categ")


@shape_cases(CASES)
def test_inferred_shape_matches_the_real_module(factory, shapes, expected, iris):
    check_shape_case(factory, shapes, expected, iris)


def test_tokenizer_categ_embeds_integer_codes(iris):
    op = nn("tokenizer_categ", d_token=4, cardinalities=[3, 2])
    inferred, real = run_layer(op, [(None, 2)], iris, dtype=torch.long)
    assert inferred == (None, 2, 4)
    assert real == (3, 2, 4)


def test_one_hot_encodes_integer_codes(iris):
    op = nn("one_hot", cardinalities=[3, 2])
    inferred, real = run_layer(op, [(None, 2)], iris, dtype=torch.long)
    assert inferred == (None, 5)
    assert real == (3, 5)


def test_every_tokenizer_has_a_shape_case():
    assert layer_keys("tokenizers") <= {c[0] for c in CASES} | {"tokenizer_categ", "one_hot"}


def test_numeric_tokens_scale_one_vector_per_feature():
    module = TokenizerNum(3, 4)
    x = torch.randn(5, 3)
    assert torch.allclose(module(x), x[:, :, None] * module.weight + module.bias)
    plain = TokenizerNum(3, 4, bias=False, initialization="normal")
    assert plain.bias is None and torch.allclose(plain(x), x[:, :, None] * plain.weight)
    assert built_module(nn("tokenizer_num", d_token=6), [(None, 2)]).weight.shape == (2, 6)


def test_categorical_tokens_have_one_table_row_per_level_of_each_feature():
    module = TokenizerCateg([3, 2], 4)
    assert module.embeddings.weight.shape == (5, 4)  # rows 0-2: the first feature, 3-4: the second
    out = module(torch.tensor([[2, 1]]))
    assert torch.allclose(out[0, 0], module.embeddings.weight[2] + module.bias[0])
    assert torch.allclose(out[0, 1], module.embeddings.weight[3 + 1] + module.bias[1])


def test_cardinalities_are_read_from_the_categorical_ingress(categ_task):
    md = (po("torch_ingress_categ") >> nn("tokenizer_categ", d_token=3)).train(categ_task)[0]
    assert md.pointer_shape == (None, 2, 3)
    assert md.graph.pipeops["tokenizer_categ"].module.embeddings.weight.shape == (4 + 3, 3)  # levels + 1 per feature
    assert (po("torch_ingress_categ") >> nn("one_hot")).train(categ_task)[0].pointer_shape == (None, 7)


def test_tokenizer_categ_without_a_categorical_ingress(iris):
    graph = po("torch_ingress_num") >> nn("tokenizer_categ", d_token=4)
    with pytest.raises(InvalidParameterError, match="cardinalities"):
        graph.train(iris)


def test_one_cardinality_per_feature(iris):
    fails_to_build(nn("tokenizer_categ", d_token=4, cardinalities=[3]), [(None, 2)], iris, "got 1 cardinalities")
    fails_to_build(nn("one_hot", cardinalities=[3]), [(None, 2)], iris, "got 1 cardinalities for 2 features")
    with pytest.raises(InvalidParameterError, match="a list of positive ints"):
        nn("one_hot", cardinalities=[0, 2])


def test_one_hot_columns_follow_the_features():
    assert OneHot([3, 2])(torch.tensor([[2, 0], [0, 1]])).tolist() == [[0, 0, 1, 1, 0], [1, 0, 0, 0, 1]]
    assert repr(OneHot([3, 2])) == "OneHot(width=5)"


def test_the_cls_token_comes_last_and_is_learned():
    module = CLSToken(4)
    x = torch.randn(2, 3, 4)
    out = module(x)
    assert torch.equal(out[:, :3], x) and torch.equal(out[:, 3], module.weight.expand(2, -1))
    assert [name for name, _ in module.named_parameters()] == ["weight"]
    assert nn("ft_cls").shapes_out((None, None, 4)) == [(None, None, 4)]
