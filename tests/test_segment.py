"""The splitter on news prose and wire copy: offsets, hard cases, real articles, the gold figures."""

from __future__ import annotations

import json

import pytest

from dedup.segment import split_spans

from .conftest import ROOT, SEED_A, SEED_B, SHARED, bbc_text

REUTERS = SHARED / "corpora" / "reuters_dev.jsonl"


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
    assert result["f1"] >= 0.98, result


# --------------------------------------------------------------------------- wire copy

@pytest.mark.parametrize(
    "text, expected",
    [
        # The examples.
        ("Wang Laboratories Inc. Terms of the agreement were not disclosed.",
         ["Wang Laboratories Inc.", "Terms of the agreement were not disclosed."]),
        ("I live in the U.S. How about you?", ["I live in the U.S.", "How about you?"]),
        ("He left at 6 P.M. Mr. Smith then went to the store.",
         ["He left at 6 P.M.", "Mr. Smith then went to the store."]),
        ("Hello world.Today is Tuesday.", ["Hello world.", "Today is Tuesday."]),
        ('"It was a strange match . . . momentum swings," said Hewitt. He left.',
         ['"It was a strange match . . . momentum swings," said Hewitt.', "He left."]),
        ("On Jan. 5 the company paid 1.5120/30 marks, or 145.33 yen. It said so.",
         ["On Jan. 5 the company paid 1.5120/30 marks, or 145.33 yen.", "It said so."]),
        # Lines of reuters_dev.jsonl, as they are there (line breaks included).
        ("Rexnord nc said it signed a\ndefinitive agreement to sell its Railway Maintenance Equipment\n"
         "Co subsidiary to Banner Industries Inc. Terms were withheld.",
         ["Rexnord nc said it signed a\ndefinitive agreement to sell its Railway Maintenance Equipment\n"
          "Co subsidiary to Banner Industries Inc.", "Terms were withheld."]),
        ("The company said it is the first of ten diagnostic tests\nbeing developed for Syntex by Murex "
         "Corp. Others include\ndetection of pregnancy, ovulation and sexually transmitted\ndiseases.",
         ["The company said it is the first of ten diagnostic tests\nbeing developed for Syntex by Murex Corp.",
          "Others include\ndetection of pregnancy, ovulation and sexually transmitted\ndiseases."]),
        ("Argentine officials said they might halt debt payments last\nmonth if creditor banks did not "
         "agree to a new 2.15 billion dlr\nloan. An Argentine mission is now in the U.S. For talks with 11\n"
         "banks, seeking to win an easing of repayment terms and secure\nthe loan.",
         ["Argentine officials said they might halt debt payments last\nmonth if creditor banks did not "
          "agree to a new 2.15 billion dlr\nloan.", "An Argentine mission is now in the U.S. For talks with 11\n"
          "banks, seeking to win an easing of repayment terms and secure\nthe loan."]),
        ("For wheat Japan's PSE averaged 95.8 pct, the EC 28.1 and\nthe U.S. 17.2. Japan's rice PSE was "
         "68.8 pct compared to the EC\n13.6 and the U.S. 5.4 pct, the OECD calculations show.",
         ["For wheat Japan's PSE averaged 95.8 pct, the EC 28.1 and\nthe U.S. 17.2.", "Japan's rice PSE was "
          "68.8 pct compared to the EC\n13.6 and the U.S. 5.4 pct, the OECD calculations show."]),
    ],
)
def test_wire_copy_boundaries(text, expected):
    assert sentences(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # Abbreviations that go on, from reuters_dev.jsonl: a line may end in one.
        "Delta Natural Gas Co Inc is raising 14\nmln dlrs through an offering of debentures due 2007 with "
        "an\n8-5/8 pct coupon and par pricing, said sole manager Edward D.\nJones and Co.",
        "Once interest on Brazil's debts becomes more than 90 days\noverdue, U.S. And Canadian banks must "
        "put the loans on\nnon-performing basis and may book payments only as and when\nthey are received "
        "instead of accruing the interest in advance.",
        "Siemens AG's <SIEG.F>\nfully-owned subsidiary Siemens Informations Systems Inc. Has\nraised its "
        "stake in Telecom Plus Communications Inc. By 65 pct\nto 100 pct, a Siemens spokesman said.",
        # Titles, initials, numbers, addresses.
        "Mr. Smith met Dr. Jones on St. James St. with J. P. Morgan and Co. Ltd. vs. No. 1 Corp. <NOC> "
        "at www.example.com/a.b and a.b@c.com for 1.5120/30 marks.",
    ],
)
def test_wire_copy_abbreviations_that_go_on(text):
    assert sentences(text) == [text]


def test_wire_layout_first_line_and_table_rows():
    # reuters_dev.jsonl: the body's first line is short (its dateline was cut), it may end
    # in "U.S.", and a table's rows are indented lines of one paragraph.
    story = (
        "WESTERN UNION <WU> NAMES NEW PRESIDENT\n\nWestern Union said John\nPope Jr has been elected "
        "president of the telegraph company and\nexecutive vice president of the corporation.\n"
        "    Western Union said Pope, formerly the executive vice\npresident of the company, succeeds "
        "Robert Leventhal.\n"
    )
    assert [s.replace("\n", " ") for s in sentences(story)] == [
        "WESTERN UNION <WU> NAMES NEW PRESIDENT",
        "Western Union said John Pope Jr has been elected president of the telegraph company and "
        "executive vice president of the corporation.",
        "Western Union said Pope, formerly the executive vice president of the company, succeeds "
        "Robert Leventhal.",
    ]
    story = (
        "Du Pont Co said the U.S.\nDistrict Court for Delaware ruled that Phillips Petroleum Co\nhad "
        "infringed on its patent covering certain melt-processable\nethylene copolymer resins and "
        "polyethylene pipe systems.\n    It also said the court ruled that Phillips infringed on\nvarious "
        "claims of its patent and enjoined Phillips from making,\nselling, or using any products covered "
        "by the patents.\n"
    )
    assert [s[:30] for s in sentences(story)] == ["Du Pont Co said the U.S.\nDistr", "It also said the court ruled t"]
    table = "TONKA CORP <TKA> RAISES DIVIDEND\n\nQtly div two cts vs 1.7 cts\n    Pay March 26\n    Record March 12\n"
    assert sentences(table) == [
        "TONKA CORP <TKA> RAISES DIVIDEND", "Qtly div two cts vs 1.7 cts", "Pay March 26", "Record March 12",
    ]


def test_reuters_story_from_the_corpus():
    if not REUTERS.is_file():
        pytest.skip(f"Reuters corpus not found at {REUTERS} (set DEDUP_SHARED)")
    with REUTERS.open(encoding="utf-8") as lines:
        story = next(json.loads(line) for line in lines if '"reuters-04169"' in line)
    got = sentences(story["text"])
    assert got == [
        "CORRECTED-NETWORK VIDEO INC <NVID> 3RD QTR", "Feb 28 end",
        "Shr five cts vs one ct", "Net 161,019 vs 50,745", "Revs 1,048,543 vs 478,700",
        "Avg shrs 3,217,500 vs 4,350,000", "Nine mths", "Shr 12 cts vs four cts", "Net 390,179 vs 169,275",
        "Revs 2,658,692 vs 1,478,066", "Avg shrs 3,217,500 vs 4,350,000",
        "NOTE: Corrects reversed figures in March 11 item.",
    ]


def test_wire_gold_boundary_f1():
    from benchmarks.segment_eval import WIRE_GOLD, load_gold, score

    assert WIRE_GOLD == ROOT / "benchmarks" / "data" / "wire_split_gold.jsonl"
    articles = load_gold(WIRE_GOLD)
    assert len(articles) == 50 and {a["draw"] for a in articles} == {"first", "held-out"}
    result = score(articles, split_spans)
    assert result["f1"] >= 0.99, result
