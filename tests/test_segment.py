"""The splitter on news prose: offsets, hard cases, real articles, and the GUM gold figure."""

from __future__ import annotations

import json

import pytest

from dedup.segment import split_spans

from .conftest import SEED_A, SEED_B, SHARED, bbc_text


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_spans(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The U.S. economy grew 3% in Jan. last year. Mr. Smith said it would rise.",
         ["The U.S. economy grew 3% in Jan. last year.", "Mr. Smith said it would rise."]),
        ("Profits rose to $1.13bn (£600m). Sales were 2.5% higher.",
         ["Profits rose to $1.13bn (£600m).", "Sales were 2.5% higher."]),
        ('"We will win," he said. "They won\'t."', ['"We will win," he said.', '"They won\'t."']),
        ("The team arrived in Washington D.C. The six-member team won.",
         ["The team arrived in Washington D.C.", "The six-member team won."]),
        ("He arrived at 5 p.m. on Friday. She left.", ["He arrived at 5 p.m. on Friday.", "She left."]),
        ("George W. Bush met J. K. Rowling. It went well.", ["George W. Bush met J. K. Rowling.", "It went well."]),
        ("Details are on www.example.co.uk. Names follow.", ["Details are on www.example.co.uk.", "Names follow."]),
    ],
)
def test_news_hard_cases(text, expected):
    assert sentences(text) == expected


def test_headline_and_dateline_without_full_stop_are_sentences():
    text = SEED_B.read_text(encoding="utf-8")
    got = sentences(text)
    assert got[:4] == [
        "Iran, Russia Boost Ties",
        "Top leaders travel to Moscow, Tehran for talks on key issues",
        "Sergei Lavrov / AP",
        "December 11, 2013",
    ]


def test_hard_wrapped_wire_paragraph_joins_lines():
    text = (
        "WASHINGTON (Reuters) - The Federal Reserve held interest rates\n"
        "steady on Wednesday, saying the economy was growing at a\n"
        "moderate pace. Officials said inflation remained low and\n"
        "Chair Jerome Powell would speak on Thursday.\n"
    )
    got = sentences(text)
    assert len(got) == 2
    assert got[0].startswith("WASHINGTON") and got[0].endswith("moderate pace.")
    assert got[1].endswith("Thursday.")


def test_offsets_point_into_original_text_and_trailing_bar_stays_attached():
    text = SEED_A.read_text(encoding="utf-8")
    spans = split_spans(text)
    assert all(text[a:b] == text[a:b].strip() and a < b for a, b in spans)
    assert [text[a:b] for a, b in spans if text[a:b].endswith("|")] == [
        "The relationship has blossomed under Rouhani despite the countries having a "
        "complicated history over territory, oil, and communism. |"
    ]
    assert len(spans) == len(text.splitlines()) == 15  # one sentence a line, headline included


def test_bbc_article_decimals_and_quotes(bbc):
    got = sentences(bbc_text("business/001.txt"))
    assert got[0] == "Ad sales boost Time Warner profit"
    assert got[1].startswith("Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn (£600m)")
    assert got[1].endswith("from $639m year-earlier.")
    assert "TimeWarner said fourth quarter sales rose 2% to $11.1bn from $10.9bn." in got


def test_gum_news_boundary_f1():
    gold_path = SHARED / "eval" / "gum_news" / "gum_news_sentences.jsonl"
    if not gold_path.is_file():
        pytest.skip("GUM gold not available")
    from benchmarks.segment_eval import load_gold, score

    result = score(load_gold(gold_path), split_spans)
    assert result["f1"] >= 0.97, result
