"""The narrative's numbers for the hand-built quarter (tests/base.py): N, 亿元 rounding, %, and
the gap to the time schedule with its sign, worded in Chinese whatever the reader's language."""

from __future__ import annotations

import time_machine
from django.utils import translation

from gongjian.bulletin.data import RedItem, build_bulletin
from gongjian.bulletin.text import RED_LIST_LIMIT, headline, render_text, sections
from gongjian.dispatch.models import Light
from gongjian.test.bulletin import TODAY, BulletinTestCase


@time_machine.travel(TODAY, tick=False)
class NarrativeTestCase(BulletinTestCase):
    def setUp(self):
        self.file_the_quarter()

    def test_the_headline_states_count_amount_share_and_gap(self):
        with translation.override("en"):  # the reader's language does not matter
            text = headline(build_bulletin(self.march_period()))
        self.assertEqual(
            text,
            "1-3月，全市3个重点项目完成投资2.84亿元，占年度计划23.6%（序时进度25.0%），"
            "低于序时进度1.4个百分点。",
        )

    def test_each_area_has_its_sentence_with_the_gap_sign(self):
        overall = sections(build_bulletin(self.march_period()))[0]
        self.assertEqual(overall.heading, "一、总体情况")
        self.assertIn(
            "市本级：2个项目完成投资1.60亿元，占年度计划26.7%，高于序时进度1.7个百分点。",
            overall.paragraphs,
        )
        self.assertIn(
            "西山县：1个项目完成投资1.24亿元，占年度计划20.6%，低于序时进度4.4个百分点。",
            overall.paragraphs,
        )

    def test_on_schedule_and_without_a_plan(self):
        bulletin = build_bulletin(self.march_period(), projects=[self.project_a])
        self.assertIn("占年度计划25.0%（序时进度25.0%），与序时进度持平", headline(bulletin))
        self.project_a.listings.update(planned_investment=0)
        bulletin = build_bulletin(self.march_period(), projects=[self.project_a])
        self.assertIn("完成投资1.00亿元（未下达年度计划）", headline(bulletin))

    def test_starts_against_the_plan(self):
        text = sections(build_bulletin(self.march_period()))[0].paragraphs[0]
        self.assertIn(
            "全年计划新开工项目2个，已开工1个，开工率50.0%；另有1个项目计划外开工。", text
        )

    def test_the_text_has_the_red_list_problems_and_the_annex(self):
        Light.objects.filter(period=self.march).delete()
        Light.objects.create(
            project=self.project_b, period=self.march, colour="red", explanation="连续2期未填报"
        )
        text = render_text(build_bulletin(self.march_period()))
        self.assertTrue(text.startswith("青川市2026年1-3月重点项目调度通报\n"))
        self.assertIn("二、亮红灯项目（1个）", text)
        self.assertIn(f"1. {self.project_b.name}（西山镇）：连续2期未填报", text)
        self.assertIn("三、问题协调解决情况", text)
        self.assertIn("未解决问题0个，其中超期0个。", text)
        self.assertNotIn("考核排名", text)  # nothing published
        self.assertTrue(text.endswith("附件：青川市2026年1-3月重点项目完成情况一览表\n"))

    def test_a_long_red_list_is_cut_and_says_where_the_rest_is(self):
        bulletin = build_bulletin(self.march_period())
        bulletin.red = [RedItem("项目", "单位", "市本级", "原因")] * (RED_LIST_LIMIT + 5)
        section = sections(bulletin)[1]
        self.assertEqual(section.heading, f"二、亮红灯项目（{RED_LIST_LIMIT + 5}个）")
        self.assertEqual(len(section.items), RED_LIST_LIMIT)
        self.assertEqual(section.notes, ["另有5个项目亮红灯，名单见Excel一览表的“红灯项目”表。"])
