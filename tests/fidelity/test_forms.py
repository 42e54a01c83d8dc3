"""The forms real official translations use (issue 19), one test each: versions that agree give no finding;
a version changed at one place gives a finding on that place.

The sentences are written after the UN documents of bench/fidelity_real.py's data (the forms, not the
texts, are taken from there)."""

from __future__ import annotations

import pytest

from accord.fidelity import check_versions
from accord.fidelity.gazetteer import gazetteer

FORMS: dict[str, dict[str, str]] = {
    "roman numeral": {
        "en": "Bearing in mind the provisions of Chapter VIII of the Charter of the United Nations,",
        "zh": "铭记《联合国宪章》第八章的规定，",
        "ru": "принимая во внимание положения главы VIII Устава Организации Объединенных Наций,",
    },
    "russian time of day": {
        "ru": "Заседание откроется в пятницу, 6 марта, в 10 ч. 00 м.",
        "zh": "会议于3月6日星期五上午10时开始。",
        "en": "The meeting will open on Friday, 6 March, at 10 a.m.",
    },
    "time of day in figures": {
        "ru": "В 13 ч. 10 м. близ села был ранен военнослужащий.",
        "zh": "13时10分，在村庄附近一名士兵受伤。",
        "en": "At 1310, near the village, a soldier was wounded.",
    },
    "compound ordinal in words": {
        "ru": "Комиссия провела свою тридцать шестую сессию.",
        "en": "The Commission held its thirty-sixth session.",
        "zh": "委员会举行了第三十六届会议。",
    },
    "ordinal of the session": {
        "ru": "документа шестьдесят девятой сессии Генеральной Ассамблеи",
        "en": "a document of the sixty-ninth session of the General Assembly",
        "zh": "大会第六十九届会议的文件",
    },
    "date in words": {
        "en": "Done at San Francisco the twenty-sixth day of June, one thousand nine hundred and forty-five.",
        "ru": "Совершено в городе Сан-Франциско двадцать шестого июня тысяча девятьсот сорок пятого года.",
        "zh": "一九四五年六月二十六日订于旧金山。",
    },
    "chinese thousands separator": {
        "zh": "所需经费估计为151 680美元。",
        "en": "The requirements are estimated at $151,680.",
        "ru": "Потребности оцениваются в 151 680 долл. США.",
    },
    "range with minus sign": {
        "ru": "Совещание состоялось 14−18 марта 2015 года.",
        "en": "The meeting was held from 14 to 18 March 2015.",
        "zh": "会议于2015年3月14日至18日举行。",
    },
    "range of days with a hyphen": {
        "zh": "会议于2015年5月4-15日举行。",
        "en": "The session was held from 4 to 15 May 2015.",
        "ru": "Сессия проходила 4–15 мая 2015 года.",
    },
    "range of ages": {
        "zh": "18至59岁的妇女",
        "en": "women aged 18 to 59",
        "ru": "женщины в возрасте 18–59 лет",
    },
    "shared unit": {
        "en": "with 45 and 46 per cent of indicators achieved respectively",
        "zh": "仅分别实现了45%和46%的指标",
        "ru": "с выполнением 45 и 46 процентов показателей соответственно",
    },
    "hundred million": {
        "zh": "约1.23亿人需要援助。",
        "en": "Some 123 million people need assistance.",
        "ru": "Помощь нужна примерно 123 млн. человек.",
    },
    "coordinated months": {
        "en": "The visits took place in March and April 2014.",
        "zh": "访问于2014年3月和4月进行。",
        "ru": "Поездки состоялись в марте и апреле 2014 года.",
    },
    "year once for a range of dates": {
        "en": "for the period from 1 January to 31 December 2014",
        "zh": "2014年1月1日至12月31日期间",
        "ru": "за период с 1 января по 31 декабря 2014 года",
    },
    "twice": {
        "en": "The Council met twice on the question.",
        "zh": "安理会两度就该问题举行会议。",
        "ru": "Совет дважды проводил заседания по этому вопросу.",
    },
    "biennium": {
        "en": "the approved budget for the biennium",
        "zh": "核定的两年期预算",
        "ru": "утвержденный бюджет на двухгодичный период",
    },
    "three-year term": {
        "en": "members elected for three-year terms",
        "zh": "选出的成员任期三年",
        "ru": "члены, избранные на трехлетний срок",
    },
    "collective numeral": {
        "ru": "трое (3) членов Комитета",
        "en": "Three (3) members of the Committee",
        "zh": "委员会的三（3）名成员",
    },
    "ordinal in words": {
        "en": "the victims of the Second World War",
        "ru": "жертв Второй мировой войны",
        "zh": "第二次世界大战的受害者",
    },
    "fraction": {
        "en": "a majority of two-thirds of the members present",
        "ru": "большинством в две трети присутствующих членов",
        "zh": "出席成员三分之二多数",
    },
    "weekday": {
        "en": "Wednesday, 4 March",
        "zh": "3月4日，星期三",
        "ru": "среда, 4 марта",
    },
    "sign": {
        "en": "Temperatures fell to -5 degrees.",
        "ru": "Температура опустилась до минус 5 градусов.",
        "zh": "气温降至零下5度。",
    },
    "a dozen": {
        "en": "a dozen countries took part",
        "zh": "十二个国家参加",
        "ru": "участвовали двенадцать стран",
    },
    "decade": {
        "en": "since the mid-1960s",
        "zh": "自六十年代中期以来",
        "ru": "с середины 1960-х годов",
    },
    "five decades": {
        "en": "stretching back five decades",
        "zh": "可上溯至五十年前",
    },
    "millennium": {
        "en": "progress towards the Millennium Development Goals by 2015",
        "zh": "到2015年实现千年发展目标的进展",
        "ru": "прогресс в достижении к 2015 году целей в области развития, сформулированных в Декларации тысячелетия",
    },
    "decade of action": {
        "en": "the International Decade for Action, 2005 - 2015, and the Year of Sanitation, 2008",
        "zh": "2005-2015年国际行动十年和2008年环境卫生年",
        "ru": "Международное десятилетие действий, 2005 - 2015 годы, и Год санитарии, 2008 год",
    },
    "kilograms": {
        "en": "156,734 kg of natural uranium was fed into the cascades",
        "zh": "已将156 734千克天然铀装入级联",
        "ru": "в каскады было подано 156 734 кг природного урана",
    },
    "substance named with a numeral": {
        "en": "3 tonnes of uranium hexafluoride and carbon dioxide",
        "zh": "3吨六氟化铀和二氧化碳",
        "ru": "3 т гексафторида урана и диоксида углерода",
    },
    "ordinal left unsaid": {
        "en": "The Bureau of the Committee met on 3 May at its first session.",
        "zh": "第四委员会主席团于5月3日在第一届会议上举行会议。",
        "ru": "Бюро Комитета провело заседание 3 мая на первой сессии.",
    },
    "article in roman numerals": {
        "en": "As defined in article I of the draft,",
        "zh": "按照草案第一条中的定义，",
        "ru": "Как определено в статье I проекта,",
    },
    "bienniums": {
        "en": "the programme budgets for the bienniums 2016-2017 and 2018-2019",
        "zh": "2016-2017年和2018-2019年两年期方案预算",
        "ru": "бюджеты по программам на двухгодичные периоды 2016-2017 и 2018-2019 годов",
    },
    "hours in figures": {
        "en": "between 0900 and 1100 hours on 3 May",
        "zh": "5月3日9时至11时",
        "ru": "3 мая с 9 ч. 00 м. до 11 ч. 00 м.",
    },
    "hours counted": {
        "en": "no later than 24 hours after the opening of the meeting",
        "zh": "不晚于会议开幕后24小时",
        "ru": "не позднее чем через 24 часа с момента открытия совещания",
    },
    "section number with a point": {
        "en": "(section 10.103(d) of the Code)",
        "zh": "(《法典》第10.103条(d)款)",
        "ru": "(раздел 10.103 (d) Кодекса)",
    },
    "month as an adjective": {
        "en": "the attacks during the October events in Bangui",
        "zh": "在班吉十月事件中的袭击",
        "ru": "нападения во время октябрьских событий в Банги",
    },
    "grouped figure with decimals": {
        "en": "a total of 33,776,130.00 kuna",
        "zh": "共计33 776 130.00库纳",
        "ru": "в общей сложности 33 776 130.00 кун",
    },
    "currency written before the figure": {
        "en": "Euro131 million from the regular budget",
        "zh": "正常预算1.31亿欧元",
        "ru": "131 млн. евро из регулярного бюджета",
    },
    "figure in brackets before its magnitude": {
        "en": "financial assistance of (80) million US dollars",
        "zh": "8 000万美元财政援助",
        "ru": "финансовая помощь в размере (80) млн. долларов США",
    },
    "countries as UN texts write them in Russian": {
        "en": "missions to Kyrgyzstan, Maldives and Papua New Guinea",
        "zh": "派往吉尔吉斯斯坦、马尔代夫和巴布亚新几内亚的特派团",
        "ru": "миссии в Кыргызстан, Мальдивские Острова и Папуа -- Новую Гвинею",
    },
    "month of a year with the word month": {
        "en": "the violations recorded for the month of January 2015",
        "zh": "2015年1月期间所记录的违规情况",
        "ru": "нарушения, зарегистрированные в течение января месяца 2015 года",
    },
    "two bodies said as the bodies": {
        "en": "The committees noted that the item would be on the agenda of their future meetings.",
        "zh": "两个委员会指出，这一项目将列入两个委员会今后会议的议程。",
        "ru": "Комитеты отметили, что этот пункт будет включен в повестку дня их будущих совещаний.",
    },
    "labels with a figure": {
        "en": "With the support of the P3 member countries, UF6 was enriched up to 5% U-235.",
        "zh": "在P3成员国的支持下，六氟化铀被浓缩到铀-235丰度达到5%。",
        "ru": "При содействии Соединенного Королевства, Соединенных Штатов и Франции UF6 обогащался до 5% по U235.",
    },
    "seven or family": {
        "en": "The draft was adopted by seven votes, and each member answers for their family.",
        "zh": "草案以七票获得通过，每个成员对其家庭负责。",
        "ru": "Проект принят семью голосами, и каждый член отвечает за свою семью.",
    },
    "section number after an abbreviation": {
        "en": "(s.10.103(d), Title 18 of the Code)",
        "zh": "(《法典》第18编第10.103条(d)款)",
        "ru": "(раздел 10.103 (d) титула 18 Кодекса)",
    },
    "one in three in russian": {
        "en": "One in three women will be harmed, and three in five will be assaulted.",
        "ru": "Одна из трех женщин пострадает, а три из пяти станут жертвами нападения.",
        "zh": "三分之一的妇女会受到伤害，而且五分之三的人会遭到攻击。",
    },
    "a third in figures and by one third": {
        "en": "support was provided by only one third of the developed country Parties",
        "zh": "只有1/3的发达国家缔约方提供了支持",
        "ru": "поддержка была предоставлена только одной третью развитых стран-Сторон",
    },
    "roman numeral glued to a russian word": {
        "en": "the Secretary-General of Habitat III and those accredited to Habitat II",
        "ru": "Генеральный секретарь ХабитатIII и аккредитованные на Хабитат-II",
        "zh": "人居三秘书长和获得人居二认可的组织",
    },
    "lettered item of a reference": {
        "en": "the definition in article 7(2)(a) of the Statute",
        "zh": "《规约》第七条第㈡款第1项中的定义",
        "ru": "определение в статье 7(2)(a) Статута",
    },
    "year glued to a russian word": {
        "en": "measured according to the Europe 2020 strategy",
        "ru": "измеряемый по методике Европейской стратегии2020",
        "zh": "根据欧洲2020战略测算",
    },
    "year of a date said again": {
        "en": "the first Prize in 2015 would be awarded in September 2015",
        "zh": "第一届颁奖假定在2015年9月举行",
        "ru": "первое вручение Премии за 2015 год состоится в сентябре 2015 года",
    },
}

# (form, language changed, text there, changed to)
CHANGES: list[tuple[str, str, str, str]] = [
    ("roman numeral", "en", "VIII", "VII"),
    ("roman numeral", "ru", "VIII", "VI"),
    ("roman numeral", "zh", "第八章", "第九章"),
    ("russian time of day", "ru", "10 ч. 00 м.", "11 ч. 00 м."),
    ("russian time of day", "en", "10 a.m.", "11 a.m."),
    ("time of day in figures", "zh", "13时10分", "13时40分"),
    ("compound ordinal in words", "ru", "тридцать шестую", "тридцать седьмую"),
    ("compound ordinal in words", "en", "thirty-sixth", "thirty-fifth"),
    ("ordinal of the session", "ru", "шестьдесят девятой", "шестьдесят восьмой"),
    ("date in words", "en", "twenty-sixth", "twenty-fifth"),
    ("date in words", "ru", "сорок пятого", "сорок шестого"),
    ("chinese thousands separator", "zh", "151 680", "151 690"),
    ("range with minus sign", "ru", "14−18", "14−19"),
    ("range of days with a hyphen", "zh", "4-15日", "4-16日"),
    ("range of ages", "zh", "18至59岁", "18至60岁"),
    ("shared unit", "en", "45 and 46", "45 and 47"),
    ("hundred million", "zh", "1.23亿", "1.32亿"),
    ("coordinated months", "en", "March and April", "March and May"),
    ("year once for a range of dates", "en", "December 2014", "December 2015"),
    ("twice", "en", "twice", "three times"),
    ("biennium", "zh", "两年期", "三年期"),
    ("three-year term", "en", "three-year", "four-year"),
    ("collective numeral", "ru", "трое (3)", "четверо (4)"),
    ("ordinal in words", "en", "Second", "Third"),
    ("ordinal in words", "ru", "Второй", "Третьей"),
    ("fraction", "en", "two-thirds", "three-quarters"),
    ("fraction", "ru", "две трети", "три четверти"),
    ("fraction", "zh", "三分之二", "四分之三"),
    ("weekday", "en", "Wednesday", "Thursday"),
    ("weekday", "zh", "星期三", "星期四"),
    ("sign", "en", "-5", "5"),
    ("sign", "ru", "минус 5", "5"),
    ("a dozen", "zh", "十二个", "十三个"),
    ("decade", "zh", "六十年代", "七十年代"),
    ("millennium", "zh", "2015年", "2016年"),
    ("decade of action", "ru", "2008", "2009"),
    ("kilograms", "zh", "156 734", "156 743"),
    ("substance named with a numeral", "en", "3 tonnes", "4 tonnes"),
    ("ordinal left unsaid", "zh", "第一届", "第二届"),
    ("ordinal left unsaid", "ru", "3 мая", "4 мая"),
    ("article in roman numerals", "ru", "статье I", "статье V"),
    ("bienniums", "zh", "两年期", "三年期"),
    ("hours in figures", "en", "0900", "0800"),
    ("hours in figures", "ru", "9 ч. 00 м.", "8 ч. 00 м."),
    ("hours counted", "ru", "24 часа", "48 часов"),
    ("section number with a point", "ru", "10.103", "10.104"),
    ("month as an adjective", "ru", "октябрьских", "ноябрьских"),
    ("grouped figure with decimals", "ru", "33 776 130.00", "33 776 310.00"),
    ("currency written before the figure", "en", "Euro131", "Euro113"),
    ("figure in brackets before its magnitude", "ru", "(80)", "(90)"),
    ("countries as UN texts write them in Russian", "ru", "Кыргызстан", "Казахстан"),
    ("countries as UN texts write them in Russian", "zh", "马尔代夫", "毛里求斯"),
    ("month of a year with the word month", "ru", "января", "февраля"),
    ("two bodies said as the bodies", "zh", "两个委员会指出", "三个委员会指出"),
    ("labels with a figure", "en", "U-235", "U-238"),
    ("labels with a figure", "zh", "铀-235", "铀-238"),
    ("seven or family", "en", "seven votes", "eight votes"),
    ("section number after an abbreviation", "en", "s.10.103", "s.10.104"),
    ("one in three in russian", "ru", "три из пяти", "два из пяти"),
    ("one in three in russian", "ru", "Одна из трех", "Одна из четырех"),
    ("a third in figures and by one third", "zh", "1/3", "1/4"),
    ("a third in figures and by one third", "ru", "одной третью", "одной четвертью"),
    ("roman numeral glued to a russian word", "ru", "ХабитатIII", "ХабитатIV"),
    ("lettered item of a reference", "zh", "第1项", "第3项"),
    ("year glued to a russian word", "ru", "стратегии2020", "стратегии2030"),
    ("year of a date said again", "en", "September 2015", "September 2016"),
]


def errors(texts: dict[str, str]) -> list:  # type: ignore[type-arg]
    return [f for f in check_versions(texts, directory=gazetteer()) if f.severity == "error"]


@pytest.mark.parametrize("form", sorted(FORMS))
def test_versions_that_agree_give_no_finding(form: str) -> None:
    texts = FORMS[form]
    assert errors(texts) == [], form
    for a in texts:  # and every pair of them
        for b in texts:
            if a < b:
                assert errors({a: texts[a], b: texts[b]}) == [], (form, a, b)


@pytest.mark.parametrize(("form", "lang", "old", "new"), CHANGES, ids=[f"{c[0]}-{c[1]}" for c in CHANGES])
def test_a_changed_version_gives_a_finding_on_the_change(form: str, lang: str, old: str, new: str) -> None:
    texts = dict(FORMS[form])
    assert old in texts[lang], (form, old)
    start = texts[lang].index(old)
    texts[lang] = texts[lang].replace(old, new, 1)
    span = (start, start + len(new))
    for other in texts:
        if other == lang:
            continue
        found = errors({lang: texts[lang], other: texts[other]})
        assert found, (form, lang, other)
        assert any(any(s < span[1] and span[0] < e for s, e in f.spans.get(lang, ())) for f in found), (
            form,
            lang,
            other,
            [f.message for f in found],
        )


def test_the_un_chinese_thousands_separator_is_one_number() -> None:
    (f,) = errors({"zh": "经费为151 680美元。", "en": "The cost is $151,690."})
    assert f.says["zh"] == "151 680美元"


def test_a_paragraph_numbered_in_one_version_only_is_a_note_not_a_discrepancy() -> None:
    texts = {"en": "16. Place and date of the next meeting.", "zh": "下次会议的地点和日期。"}
    findings = check_versions(texts)
    assert [f.severity for f in findings] == ["warning"]
    assert findings[0].message.startswith("could not compare the numbering")
    # two numbers that differ are still a discrepancy
    assert errors({"en": "16. Place and date of the next meeting.", "zh": "17. 下次会议的地点和日期。"})


def test_names_longest_match_wins() -> None:
    en = "The African Union Peace and Security Council met in Addis Ababa."
    ru = "Совет мира и безопасности Африканского союза провел заседание в Аддис-Абебе."
    zh = "非洲联盟和平与安全理事会在亚的斯亚贝巴举行会议。"
    assert errors({"en": en, "ru": ru, "zh": zh}) == []
    # and the Security Council named instead is another body
    (f,) = errors({"en": en, "zh": "安全理事会在亚的斯亚贝巴举行会议。"})
    assert f.kind == "name" and f.says["zh"] == "安全理事会"


def test_the_general_assembly_is_not_any_conference() -> None:
    en = "The Conference of the Parties and the General Assembly took note of the report."
    zh = "缔约方大会和大会注意到该报告。"
    assert errors({"en": en, "zh": zh}) == []
    (f,) = errors({"en": en.replace("General Assembly", "Security Council"), "zh": zh})
    assert f.kind == "name" and f.says == {"en": "the Security Council", "zh": "大会"}


def test_a_country_named_for_another_is_caught_in_every_pairing() -> None:
    texts = {
        "en": "France and Germany submitted the draft resolution.",
        "zh": "法国和德国提交了决议草案。",
        "ru": "Франция и Германия представили проект резолюции.",
    }
    assert errors(texts) == []
    for lang, old, new in (("en", "France", "Italy"), ("zh", "德国", "日本"), ("ru", "Германия", "Испания")):
        changed = dict(texts)
        changed[lang] = texts[lang].replace(old, new)
        found = errors(changed)
        assert found and all(f.kind == "name" for f in found), (lang, [f.message for f in found])


def test_the_dollar_of_the_united_states_is_a_currency_not_a_country() -> None:
    texts = {
        "en": "Hundreds of millions of dollars are directed towards Gaza.",
        "ru": "Сотни миллионов долларов США направляются в Газу.",
    }
    assert not [f for f in errors(texts) if f.kind == "name"]


def test_a_latin_letter_typed_in_a_russian_word_is_read_as_the_cyrillic_one() -> None:
    en = "To be held on Wednesday, 4 February 2015, at 10 a.m."
    ru = "которое состоится в cреду, 4 февраля 2015 года, в 10 ч. 00 м."  # the c of cреду is Latin
    assert errors({"en": en, "ru": ru}) == []
    (f,) = errors({"en": en.replace("Wednesday", "Thursday"), "ru": ru})
    assert f.spans["ru"] == ((ru.index("cреду"), ru.index("cреду") + 5),)


def test_millions_in_words_with_a_currency_say_no_figure() -> None:
    texts = {
        "en": "directing hundreds of millions annually towards its activities",
        "ru": "ежегодно направляет сотни миллионов долларов США на свою деятельность",
    }
    assert errors(texts) == []
    assert errors({"en": "directing $300 million annually", "ru": texts["ru"].replace("сотни ", "500 ")})


def test_a_country_swapped_is_caught_though_its_name_is_said_elsewhere_in_the_text() -> None:
    # the original name stays further on, where the other version says an adjective ("Turkish"): that
    # leftover does not excuse the swapped name of the first paragraph
    zh = ["我国政府强烈抗议土耳其侵犯塞浦路斯共和国领空的行为。", "一架土耳其军用飞机进入了塞浦路斯共和国领空。"]
    en = [
        "My Government strongly protests the violations of the airspace of the Republic of Cyprus by Turkey.",
        "One Turkish military aircraft violated the national airspace of the Republic of Cyprus.",
    ]
    texts = {"zh": "\n\n".join(zh), "en": "\n\n".join(en)}
    assert errors(texts) == []
    changed = {"zh": texts["zh"].replace("土耳其", "马里", 1), "en": texts["en"]}
    (f,) = errors(changed)
    assert f.kind == "name" and f.says == {"zh": "马里", "en": "Turkey"}


def test_a_name_said_more_often_in_one_version_is_no_swap() -> None:
    # Korea twice and the United States once against Korea once and the United States twice: repetitions
    texts = {
        "zh": "美国对朝鲜民主主义人民共和国的战略，朝鲜民主主义人民共和国军民将给美利坚合众国以反击。",
        "ru": "Стратегия Соединенных Штатов в отношении Корейской Народно-Демократической Республики "
        "навлечет на Соединенные Штаты Америки ответные действия.",
    }
    assert errors(texts) == []
    # a new name against a repeated one is still a swap
    (f,) = errors({"zh": texts["zh"].replace("美利坚合众国", "日本"), "ru": texts["ru"]})
    assert f.kind == "name" and f.says["zh"] == "日本"


def test_a_review_conference_is_not_the_general_assembly() -> None:
    (f,) = gazetteer().find("要求2015年审议大会进行评估", {"Han"})
    assert f.key == ("name", "body:revcon")
    (f,) = gazetteer().find("秘书长建议大会核准", {"Han"})
    assert f.key == ("name", "body:ga")


def test_two_labels_that_differ_are_reported_though_a_label_alone_is_not() -> None:
    en = "UF6 was enriched at the P3 facility."
    ru = "UF6 обогащался на объекте."
    assert errors({"en": en, "ru": ru}) == []  # P3 spelt out (or left out) in one version: nothing said
    (f,) = errors({"en": en.replace("UF6", "UF4"), "ru": ru})
    assert f.says == {"en": "UF4", "ru": "UF6"}


def test_footnote_marks_kept_in_one_version_only_say_nothing() -> None:
    texts = {
        "en": "the concept of abuse of a dominant position.2 It indicates a level of planning.[23]",
        "ru": "понятия <<злоупотребление доминирующим положением>>2. Это указывает на спланированность[23].",
        "zh": "滥用支配地位的概念。这表明存在某种程度的规划。",
    }
    assert errors(texts) == []
    # two marks that differ are still reported
    (f,) = errors({"en": texts["en"].replace("[23]", "[24]"), "ru": texts["ru"]})
    assert f.says == {"en": "24", "ru": "23"}


def test_a_man_named_ghani_is_not_ghana() -> None:
    texts = {
        "en": "the President of Afghanistan, Ashraf Ghani",
        "ru": "Президент Афганистана Ашраф Гани",
        "zh": "阿富汗总统阿什拉夫·加尼",
    }
    assert errors(texts) == []
    (f,) = gazetteer().find("в Гане", {"Cyrillic"})
    assert f.key == ("name", "country:GH")
    (g,) = gazetteer().find("из Мексики", {"Cyrillic"})  # after к the genitive is -и
    assert g.key == ("name", "country:MX")


def test_third_alone_is_the_ordinal_not_a_fraction() -> None:
    texts = {
        "ru": "Комиссия провела свою пятьдесят третью сессию.",
        "en": "The Commission held its fifty-third session.",
    }
    assert errors(texts) == []


def test_a_paragraph_numbered_differently_is_reported() -> None:
    zh = "1. 在健康目标中制定关于普及性与生殖健康权利的具体目标；\n\n2. 在健康目标中制定关于减少孕产妇死亡的具体目标；"
    en = (
        "1. A specific target for universal sexual and reproductive health rights in the health goal;\n\n"
        "2. A specific target for universal reduction of maternal mortality in the health goal;"
    )
    assert errors({"zh": zh, "en": en}) == []
    changed = zh.replace("1. ", "7. ", 1)
    (f,) = errors({"zh": changed, "en": en})
    assert f.spans["zh"] == ((0, 1),)
    # numbered in one version only: layout, a note
    assert errors({"zh": zh.replace("1. ", "", 1), "en": en}) == []


def test_a_mission_named_after_its_country_leaves_the_country_to_be_compared() -> None:
    texts = {
        "zh": "转递马里共和国政府的公报，关于联合国马里多层面综合稳定团(马里稳定团)的决定。",
        "ru": "коммюнике правительства Республики Мали в связи с решением Многопрофильной комплексной миссии "
        "Организации Объединенных Наций по стабилизации в Мали (МИНУСМА).",
        "en": "a communiqué of the Government of the Republic of Mali on the decision of the United Nations "
        "Multidimensional Integrated Stabilization Mission in Mali (MINUSMA).",
    }
    assert errors(texts) == []
    for lang, old, new in (("zh", "马里共和国", "墨西哥"), ("en", "Republic of Mali", "Republic of Chad")):
        changed = dict(texts)
        changed[lang] = texts[lang].replace(old, new)
        found = errors(changed)
        assert found and all(f.kind == "name" for f in found), (lang, [f.message for f in found])


def _countries(text: str) -> list[tuple[str, str]]:
    return [(f.text, f.key[1]) for f in gazetteer().find(text, {"Cyrillic"})]


def test_a_russian_adjective_of_a_country_names_the_country_in_every_case() -> None:
    cases = ["ий", "ого", "ому", "им", "ом", "ая", "ой", "ую", "ое", "ие", "их", "ими"]
    for ending in cases:
        assert _countries(f"по {'сирийск' + ending} вопросу") == [("сирийск" + ending, "country:SY")], ending
    # by rule from the Russian name (Аргентина, Судан, Мали) and irregular ones (Турция, Франция)
    assert _countries("об аргентинском спутнике") == [("аргентинском", "country:AR")]
    assert _countries("суданской нефтяной полиции") == [("суданской", "country:SD")]
    assert _countries("малийских сил") == [("малийских", "country:ML")]
    assert _countries("турецкого анклава и французской стороны") == [
        ("турецкого", "country:TR"),
        ("французской", "country:FR"),
    ]
    # one name, not a name and an adjective; a stem two countries share (корейский) names neither
    assert _countries("Правительство Сирийской Арабской Республики") == [
        ("Сирийской Арабской Республики", "country:SY")
    ]
    assert _countries("на корейском полуострове") == []


def test_a_country_swapped_where_the_russian_says_its_adjective_is_caught() -> None:
    texts = {
        "zh": "在我们努力解决叙利亚人道主义局势的同时，结束叙利亚人民苦难的唯一途径是结束叙利亚的冲突。",
        "ru": "Сейчас, когда мы принимаем меры для улучшения гуманитарной ситуации в Сирии, единственный путь "
        "прекращения страданий сирийского народа заключается в прекращении конфликта в Сирии.",
    }
    assert errors(texts) == []
    changed = {"zh": texts["zh"].replace("叙利亚", "日本", 1), "ru": texts["ru"]}
    found = errors(changed)
    assert found and all(f.kind == "name" for f in found)
    assert any(f.says.get("zh") == "日本" for f in found), [f.message for f in found]


def test_the_people_of_a_country_name_the_country() -> None:
    assert _countries("диалога между сирийцами") == [("сирийцами", "country:SY")]
    assert _countries("суданцев и аргентинцам") == [("суданцев", "country:SD"), ("аргентинцам", "country:AR")]
    texts = {
        "zh": "阿拉伯叙利亚共和国政府重申：叙利亚的危机需要叙利亚人在叙利亚领导下开展对话。",
        "ru": "Правительство Сирийской Арабской Республики заявляет, что кризис в Сирии необходимо урегулировать "
        "на основе диалога между сирийцами и под сирийским руководством.",
    }
    assert errors(texts) == []
    (f,) = errors({"zh": texts["zh"].replace("叙利亚", "苏丹", 1), "ru": texts["ru"]})
    assert f.kind == "name" and f.says["zh"] == "苏丹共和国"


def test_languages_and_longer_names_are_not_the_country_of_their_adjective() -> None:
    ru = "экскурсии предлагаются на немецком, итальянском, японском и шведском языках, а также на французском языке"
    assert _countries(ru) == []
    zh = "提供德语、意大利语、日语、葡萄牙语和瑞典语导游服务。"
    assert errors({"zh": zh, "ru": ru.replace("японском", "португальском")}) == []
    assert _countries("на Британских Виргинских островах") == []


def test_the_un_chinese_names_where_iso_has_other_characters() -> None:
    for zh, code in (("危地马拉", "GT"), ("柬埔寨", "KH"), ("马耳他", "MT"), ("孟加拉国", "BD"), ("教廷", "VA")):
        (f,) = gazetteer().find(f"{zh}代表团", {"Han"})
        assert f.key == ("name", f"country:{code}"), zh
    texts = {
        "zh": "与会者来自以下国家：澳大利亚、加拿大、法国和日本。",
        "ru": "участники из следующих стран: Австралии, Канады, Франции и Японии.",
    }
    assert errors(texts) == []
    (f,) = errors({"zh": texts["zh"].replace("法国", "危地马拉"), "ru": texts["ru"]})
    assert f.says == {"zh": "危地马拉", "ru": "Франции"}


def test_the_support_mission_in_mali_leaves_mali_to_be_compared() -> None:
    texts = {
        "zh": "就马里而言，联合国加强了其对马里支助团规划进程的支助，协助非洲联盟规划马里支助团事宜。",
        "ru": "В случае Мали Организация Объединенных Наций активизировала поддержку процесса планирования в "
        "АФИСМА, для оказания Африканскому союзу помощи в планировании деятельности АФИСМА.",
    }
    assert errors(texts) == []
    (f,) = errors({"zh": texts["zh"].replace("马里", "肯尼亚", 1), "ru": texts["ru"]})
    assert f.says == {"zh": "肯尼亚", "ru": "Мали"}


def test_russian_adjective_stems_by_rule() -> None:
    from accord.fidelity.gazetteer import ru_adjective_stems

    assert "сирийск" in ru_adjective_stems("Сирия")
    assert "аргентинск" in ru_adjective_stems("Аргентина")
    assert ru_adjective_stems("Судан") == ["суданск"]
    assert ru_adjective_stems("Мали") == ["малийск"]
    assert "узбекск" in ru_adjective_stems("Узбекистан")
    assert ru_adjective_stems("США") == [] and ru_adjective_stems("Южный Судан") == []


def test_an_adjective_of_a_sea_or_a_region_names_no_country() -> None:
    assert _countries("в районе Индийского океана и в Южно-Китайском море") == []
    assert _countries("Организация американских государств") == []
    assert _countries("индийского правительства") == [("индийского", "country:IN")]
