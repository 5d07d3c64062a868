"""The synthetic world: names, facts, templates and the word-level tokenizer."""

import random

import pytest

from emergent.knowledge.knowledge_base import (
    OPENINGS,
    WorldConfig,
    batch_prompts,
    make_knowledge_base,
)


def test_world_is_complete_and_repeatable():
    kb = make_knowledge_base(WorldConfig(n_entities=50, seed=3))
    again = make_knowledge_base(WorldConfig(n_entities=50, seed=3))
    assert kb.names == again.names and kb.facts == again.facts
    assert len(set(kb.names)) == 50  # every name is unique
    summary = kb.summary()
    assert summary["facts"] == 50 * len(kb.relations)
    # answers of different relations never overlap, so an answer token names its relation
    answers = [a for r in kb.relations for a in kb.answers(r)]
    assert len(answers) == len(set(answers))
    # every relation has training and held-out templates, and none is both
    for r in kb.relations:
        train, held = kb.templates_for(r), kb.templates_for(r, held_out=True)
        assert train and held and not set(train) & set(held)
        assert len(train) + len(held) == 3 * len(OPENINGS)


def test_prompts_mark_the_subject_and_round_trip():
    kb = make_knowledge_base(WorldConfig(n_entities=20))
    for template in kb.templates[:15]:
        p = kb.prompt(4, template)
        assert kb.decode([p.ids[i] for i in p.subject]) == kb.name(4)
        assert kb.vocabulary[p.answer] == kb.attribute(4, template.relation)
        assert kb.decode(p.ids).startswith("<bos>")
    ids, last = batch_prompts(kb.prompts()[:7], kb.pad_id)
    assert ids.shape[0] == 7 and int(last.max()) == ids.shape[1] - 1


def test_a_biography_states_every_fact_once_with_the_full_name():
    kb = make_knowledge_base(WorldConfig(n_entities=30))
    ids, answers = kb.biography(7, random.Random(0))
    assert ids[0] == kb.bos_id and kb.decode(ids).count(".") == len(kb.relations)
    assert kb.decode(ids).count(kb.name(7)) == len(kb.relations)  # the full name in every sentence
    said = [kb.vocabulary[ids[i]] for i in answers]
    assert sorted(said) == sorted(kb.attribute(7, r) for r in kb.relations)
    # each answer follows a training template's question, so every sentence is a training prompt
    sentences = kb.decode(ids[1:-1]).split(" . ")  # drop <bos> and the final "."
    questions = {kb.decode(p.ids[1:]) for p in kb.prompts(entities=[7])}
    assert all(sentence.rsplit(" ", 1)[0] in questions for sentence in sentences)
    # shuffled: over a few draws, more than one relation comes first
    firsts = {kb.biography(7, random.Random(seed))[0][1:4] == ids[1:4] for seed in range(10)}
    assert firsts == {True, False}
    assert kb.biographies(5, seed=2) == kb.biographies(5, seed=2) and len(kb.biographies()) == 30


def test_neighbours_share_a_name_part():
    kb = make_knowledge_base(WorldConfig(n_entities=100))
    for e in range(10):
        for n in kb.neighbours(e):
            assert n != e and (kb.names[n][0] == kb.names[e][0] or kb.names[n][1] == kb.names[e][1])


def test_bad_input_is_refused():
    kb = make_knowledge_base(WorldConfig(n_entities=10))
    with pytest.raises(ValueError, match="Entity"):
        kb.attribute(10, "city")
    with pytest.raises(ValueError, match="No entity called"):
        kb.entity_of("Nobody Atall")
    with pytest.raises(ValueError, match="Unknown relation"):
        kb.templates_for("height")
    with pytest.raises(ValueError, match="not in the vocabulary"):
        kb.encode(["zebra"])
    with pytest.raises(ValueError, match="Entity"):
        kb.biography(-1, random.Random(0))
    with pytest.raises(ValueError, match="distinct names"):
        make_knowledge_base(WorldConfig(n_entities=1000, n_first=5, n_last=5))
