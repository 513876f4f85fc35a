"""The bulletin's narrative (通报正文), in Chinese whatever the reader's language: it is the
document itself, worded as bulletins are ("1-10月，全市250个重点项目完成投资123.45亿元，占年度
计划80.1%，低于序时进度3.2个百分点"). The page, the PDF and the text file all show these sections.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import translation

from gongjian.bulletin.data import Bulletin, Figures, chinese_number
from gongjian.dispatch.rules.schedule import describe_gap
from gongjian.lib.figures_format import percent, yi

# The red list in the narrative names this many projects; the Excel lists every one.
RED_LIST_LIMIT = 200


@dataclass
class Section:
    """A heading with its sentences (`paragraphs`), the list under them (`items`, one line
    each; the PDF and the page show a table instead) and what follows the list (`notes`)."""

    key: str  # overall, red, problems, ranking
    heading: str
    paragraphs: list[str]
    items: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def title(bulletin: Bulletin) -> str:
    return f"{bulletin.place}{bulletin.year}年{bulletin.span}重点项目调度通报"


def completion(figures: Figures, gap: Decimal | None, expected: Decimal | None = None) -> str:
    """完成投资X亿元，占年度计划Y%，高于序时进度Z个百分点 (without a plan: the amount only)."""
    text = f"完成投资{yi(figures.completed)}亿元"
    share = percent(figures.completed, figures.annual_plan)
    if share is None or gap is None:
        return text + "（未下达年度计划）"
    schedule = f"（序时进度{expected}%）" if expected is not None else ""
    with translation.override("zh-hans"):  # describe_gap speaks the reader's language
        return f"{text}，占年度计划{share}%{schedule}，{describe_gap(gap)}"


def headline(bulletin: Bulletin) -> str:
    figures = completion(bulletin.total, bulletin.gap_points, bulletin.expected_share)
    return f"{bulletin.span}，{bulletin.whole}{bulletin.total.count}个重点项目{figures}。"


def starts(bulletin: Bulletin) -> str:
    """计划新开工N个，已开工K个，开工率R% (and the starts outside the plan)."""
    if not bulletin.planned_starts:
        return f"新开工项目{bulletin.starts}个。"
    rate = percent(bulletin.planned_started, bulletin.planned_starts)
    text = (
        f"全年计划新开工项目{bulletin.planned_starts}个，已开工{bulletin.planned_started}个，"
        f"开工率{rate}%"
    )
    unplanned = bulletin.starts - bulletin.planned_started
    return text + (f"；另有{unplanned}个项目计划外开工。" if unplanned else "。")


def area_sentences(bulletin: Bulletin) -> list[str]:
    return [
        f"{area.name}：{area.figures.count}个项目{completion(area.figures, area.gap_points)}。"
        for area in bulletin.areas
    ]


def sections(bulletin: Bulletin) -> list[Section]:
    """一、总体情况; 二、亮红灯项目; 三、问题协调解决情况; 四、考核排名 (when one is published)."""
    overall = [headline(bulletin) + starts(bulletin), "分地区看：", *area_sentences(bulletin)]
    parts = [
        Section("overall", "总体情况", overall),
        red_list(bulletin),
        open_problems(bulletin),
    ]
    if bulletin.ranking is not None:
        parts.append(ranking(bulletin))
    for number, section in enumerate(parts, start=1):
        section.heading = f"{chinese_number(number)}、{section.heading}"
    return parts


def red_list(bulletin: Bulletin) -> Section:
    section = Section("red", f"亮红灯项目（{bulletin.red_count}个）", [])
    if not bulletin.red:
        section.paragraphs.append("本期无亮红灯项目。")
    section.items = [
        f"{index}. {item.project}（{item.unit}）：{item.explanation}"
        for index, item in enumerate(bulletin.red[:RED_LIST_LIMIT], start=1)
    ]
    more = bulletin.red_count - RED_LIST_LIMIT
    if more > 0:
        section.notes.append(f"另有{more}个项目亮红灯，名单见Excel一览表的“红灯项目”表。")
    return section


def open_problems(bulletin: Bulletin) -> Section:
    day = bulletin.problems_as_of
    summary = (
        f"截至{day.year}年{day.month}月{day.day}日，未解决问题{bulletin.open_problems}个，"
        f"其中超期{bulletin.overdue_problems}个。"
    )
    section = Section("problems", "问题协调解决情况", [summary])
    for item in bulletin.problems:
        overdue = f"（超期{item.overdue}个）" if item.overdue else ""
        section.items.append(f"{item.department}：{item.open}个{overdue}")
    return section


def ranking(bulletin: Bulletin) -> Section:
    run = bulletin.ranking
    section = Section(
        "ranking", "考核排名", [f"{run.scheme}（{run.period}，{run.published_on}发布）："]
    )
    for group in run.groups:
        places = "；".join(f"第{rank}名 {unit} {score}分" for rank, unit, score in group.units)
        section.items.append(f"{group.name}：{places}")
    return section


def render_text(bulletin: Bulletin) -> str:
    """The narrative as plain text, ready to paste into a document."""
    lines = [title(bulletin), ""]
    for section in sections(bulletin):
        lines.append(section.heading)
        lines += [f"　　{line}" for line in section.paragraphs + section.items + section.notes]
        lines.append("")
    lines.append(f"附件：{bulletin.title}")
    return "\n".join(lines) + "\n"
