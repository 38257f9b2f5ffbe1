"""augment_random_choice / augment_random_order: steps combined at random."""

from __future__ import annotations

import pickle

import pytest
import torch

import jupytorch as jt
from jupytorch import po
from jupytorch.lazy.pipeops.random_compose import RandomChoice, RandomOrder


def test_random_choice_draws_per_row_with_weights():
    torch.manual_seed(0)
    step = RandomChoice([lambda x: x + 1, lambda x: x - 1], p=[3, 1])
    out = step(torch.zeros(4000, 1))
    assert set(out.unique().tolist()) == {-1.0, 1.0}
    assert 0.7 < float((out == 1).float().mean()) < 0.8


def test_random_choice_refuses_transforms_that_disagree_on_shape(rgb):
    task, _ = rgb
    op = po("augment_random_choice", transforms=[po("augment_hflip"), po("augment_random_crop", size=8)])
    with pytest.raises(Exception, match="agree on the output shape"):
        op.train([task])


def test_random_order_needs_shape_keeping_transforms(rgb):
    task, _ = rgb
    op = po("augment_random_order", transforms=[po("augment_hflip"), po("augment_center_crop", size=8)])
    with pytest.raises(Exception, match="keep the shape"):
        op.train([task])


def test_random_order_applies_all_in_varying_order():
    step = RandomOrder([lambda x: x * 2, lambda x: x + 1])
    torch.manual_seed(0)
    assert {float(step(torch.ones(1))) for _ in range(50)} == {3.0, 4.0}


def test_choice_of_flips_in_a_task_trains_and_pickles(rgb):
    task, images = rgb
    op = po("augment_random_choice", transforms=[po("augment_hflip"), po("augment_vflip")])
    column = op.train([task])[0].data()["image"]
    torch.manual_seed(1)
    out = jt.materialize(column, rbind=True, stage="train")
    for row, image in zip(out, images, strict=True):
        assert torch.equal(row, image.flip(-1)) or torch.equal(row, image.flip(-2))
    assert torch.equal(jt.materialize(column, rbind=True, stage="predict"), images)  # augmentation: train only
    again = pickle.loads(pickle.dumps(column))
    torch.manual_seed(1)
    assert torch.equal(jt.materialize(again, rbind=True, stage="train"), out)
