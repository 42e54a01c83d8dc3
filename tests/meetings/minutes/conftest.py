"""Texts of the minutes of the seed meeting (Moscow, February 1960) as the delegations amend them.

Illustrative wording: the seed says only that the 1959 results were reviewed and the 1960 plan signed.
"""

from __future__ import annotations

import pytest

from accord.meetings.services import minutes as services

ZH_1 = "1. 双方审查了1959年合作计划的执行结果。\n2. 双方商谈了1960年年度计划。\n3. 下次会议在北京举行。"
RU_1 = (
    "1. Стороны рассмотрели итоги выполнения плана на 1959 год.\n"
    "2. Стороны обсудили годовой план на 1960 год.\n"
    "3. Следующее совещание состоится в Пекине."
)
# The Chinese delegation's amendment to item 2 (revision 2).
ZH_ITEM_2 = "2. 双方商谈并签订了1960年年度科学技术合作计划。"
ZH_2 = ZH_1.replace("2. 双方商谈了1960年年度计划。", ZH_ITEM_2)
# The Soviet delegation's amendment to item 2 and a new item 4 (revision 3).
RU_ITEM_2 = "2. Стороны обсудили и подписали годовой план научно-технического сотрудничества на 1960 год."
RU_ITEM_4 = "4. Стороны выразили удовлетворение результатами сотрудничества."
RU_3 = RU_1.replace("2. Стороны обсудили годовой план на 1960 год.", RU_ITEM_2) + "\n" + RU_ITEM_4


@pytest.fixture
def minutes(seed):
    """The seed meeting's minutes, drafted by the secretariat (revision 1)."""
    return services.start_minutes(seed.meeting, {"zh": ZH_1, "ru": RU_1}, note="first draft").minutes


@pytest.fixture
def amended(seed, minutes):
    """Revision 2 by the Chinese delegation, revision 3 by the Soviet delegation."""
    services.amend_minutes(minutes, based_on=1, body={"zh": ZH_2}, party=seed.cn, note="CN: item 2")
    services.amend_minutes(minutes, based_on=2, body={"ru": RU_3}, party=seed.su, note="SU: items 2 and 4")
    return minutes
