"""The built-in gazetteer: countries and international bodies by their names in zh, ru and en.

`accord check-texts` compares names with it when there is no records' directory (and beside it when
there is one), so that a text that names France where its translation names Germany is caught without a
names file. Countries come from pycountry's ISO 3166 data and its Chinese and Russian translations, with
the short and official forms UN documents use added by hand; the UN's organs and common international
bodies are written here.

The compiled list ships as gazetteer.json beside this file (loading it is a few milliseconds; building it
from pycountry takes a third of a second). Rebuild it after changing the lists below or upgrading
pycountry:

    python -m accord.fidelity.gazetteer --write

Every entry is *soft*: official texts say "the Council" for the Security Council and leave out the country
a sentence is about, so a name said in one version only is not reported; a name said where the other
version names another entity is.
"""

from __future__ import annotations

import json
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accord.fidelity.names import Directory

PATH = Path(__file__).with_name("gazetteer.json")

# ISO 3166 alpha-2 -> forms UN documents use that the ISO names lack
COUNTRY_FORMS: dict[str, dict[str, list[str]]] = {
    "RU": {"en": ["Russia"], "zh": ["俄罗斯联邦"], "ru": ["Россия"]},
    "US": {"en": ["United States of America"], "zh": ["美利坚合众国"], "ru": ["Соединенные Штаты Америки", "США"]},
    "GB": {
        "en": ["United Kingdom of Great Britain and Northern Ireland"],
        "zh": ["大不列颠及北爱尔兰联合王国", "联合王国"],
        "ru": [
            "Соединенное Королевство Великобритании и Северной Ирландии",
            "Соединенное Королевство",
            "Великобритания",
        ],
    },
    "SY": {"zh": ["叙利亚"], "ru": ["Сирия"]},
    "IR": {"en": ["Iran (Islamic Republic of)"], "zh": ["伊朗"], "ru": ["Иран (Исламская Республика)"]},
    "KR": {"zh": ["韩国"]},
    "KP": {"zh": ["朝鲜"]},
    "BO": {"en": ["Bolivia (Plurinational State of)"], "zh": ["玻利维亚多民族国", "玻利维亚"]},
    "VE": {"en": ["Venezuela (Bolivarian Republic of)"], "zh": ["委内瑞拉"], "ru": ["Венесуэла"]},
    "TZ": {"en": ["United Republic of Tanzania", "Tanzania"], "zh": ["坦桑尼亚联合共和国", "坦桑尼亚"]},
    "MD": {"en": ["Republic of Moldova", "Moldova"], "zh": ["摩尔多瓦共和国", "摩尔多瓦"]},
    "CD": {
        "en": ["Democratic Republic of the Congo"],
        "zh": ["刚果民主共和国"],
        "ru": ["Демократическая Республика Конго"],
    },
    "CG": {"zh": ["刚果"], "ru": ["Конго"]},
    "LY": {"en": ["Libya"], "zh": ["利比亚"], "ru": ["Ливия"]},
    # the Russian forms of the UN's own usage (ISO's Russian has Киргизия, Мальдивы)
    "KG": {"zh": ["吉尔吉斯斯坦"], "ru": ["Кыргызстан"]},
    "MV": {"ru": ["Мальдивские Острова"]},
    "PG": {"ru": ["Папуа -- Новая Гвинея", "Папуа-Новая Гвинея"]},
    "PS": {
        "en": ["State of Palestine", "Palestine"],
        "zh": ["巴勒斯坦国", "巴勒斯坦"],
        "ru": ["Государство Палестина", "Палестина"],
    },
    "CN": {"zh": ["中华人民共和国"], "ru": ["Китайская Народная Республика"]},
    "TR": {"en": ["Turkey"], "zh": ["土耳其"], "ru": ["Турция"]},
    "CZ": {"en": ["Czech Republic"], "zh": ["捷克共和国", "捷克"], "ru": ["Чешская Республика"]},
    "SZ": {"en": ["Swaziland"], "zh": ["斯威士兰"], "ru": ["Свазиленд"]},
    "CV": {"en": ["Cabo Verde", "Cape Verde"], "zh": ["佛得角"], "ru": ["Кабо-Верде"]},
    "CI": {"en": ["Côte d'Ivoire"], "zh": ["科特迪瓦"], "ru": ["Кот-д'Ивуар"]},
    "VN": {"en": ["Viet Nam"], "zh": ["越南"], "ru": ["Вьетнам"]},
    "LA": {"en": ["Lao People's Democratic Republic"], "zh": ["老挝人民民主共和国", "老挝"]},
    "MK": {"en": ["The former Yugoslav Republic of Macedonia"], "zh": ["前南斯拉夫的马其顿共和国"]},
    # the UN's Chinese names where pycountry's zh_CN has other characters (瓜地马拉, 柬埔塞, 马尔他)
    "GT": {"zh": ["危地马拉", "危地马拉共和国"]},
    "TT": {"zh": ["特立尼达和多巴哥", "特立尼达和多巴哥共和国"]},
    "BN": {"zh": ["文莱达鲁萨兰国"]},
    "KH": {"zh": ["柬埔寨", "柬埔寨王国"]},
    "MT": {"zh": ["马耳他", "马耳他共和国"]},
    "BD": {"zh": ["孟加拉国"]},
    "AE": {"zh": ["阿拉伯联合酋长国"]},
    "VA": {"zh": ["教廷"], "ru": ["Святейший Престол"], "en": ["Holy See"]},
}

# The UN's organs, bodies and agencies, and common international bodies: (id, en, zh, ru). Not the United
# Nations itself nor its Secretariat: every text names them, in part of other bodies' names too.
BODIES: list[tuple[str, list[str], list[str], list[str]]] = [
    ("ga", ["General Assembly"], ["联合国大会", "大会"], ["Генеральная Ассамблея"]),
    ("sc", ["Security Council"], ["安全理事会", "安理会"], ["Совет Безопасности"]),
    (
        "ecosoc",
        ["Economic and Social Council", "ECOSOC"],
        ["经济及社会理事会", "经社理事会"],
        ["Экономический и Социальный Совет", "ЭКОСОС"],
    ),
    ("tc", ["Trusteeship Council"], ["托管理事会"], ["Совет по Опеке"]),
    ("icj", ["International Court of Justice"], ["国际法院"], ["Международный Суд"]),
    # a treaty's review conference (审议大会: not the General Assembly, which 大会 alone names)
    ("revcon", ["Review Conference"], ["审议大会"], ["Обзорная конференция"]),
    ("hrc", ["Human Rights Council"], ["人权理事会"], ["Совет по правам человека"]),
    ("pbc", ["Peacebuilding Commission"], ["建设和平委员会"], ["Комиссия по миростроительству"]),
    ("csw", ["Commission on the Status of Women"], ["妇女地位委员会"], ["Комиссия по положению женщин"]),
    ("csocd", ["Commission for Social Development"], ["社会发展委员会"], ["Комиссия социального развития"]),
    ("ilc", ["International Law Commission"], ["国际法委员会"], ["Комиссия международного права"]),
    (
        "acabq",
        ["Advisory Committee on Administrative and Budgetary Questions"],
        ["行政和预算问题咨询委员会", "行预咨委会"],
        ["Консультативный комитет по административным и бюджетным вопросам"],
    ),
    ("boa", ["Board of Auditors"], ["审计委员会"], ["Комиссия ревизоров"]),
    (
        "cedaw",
        ["Committee on the Elimination of Discrimination against Women"],
        ["消除对妇女歧视委员会"],
        ["Комитет по ликвидации дискриминации в отношении женщин"],
    ),
    (
        "ohchr",
        ["Office of the United Nations High Commissioner for Human Rights", "OHCHR"],
        ["联合国人权事务高级专员办事处", "人权高专办"],
        ["Управление Верховного комиссара Организации Объединенных Наций по правам человека", "УВКПЧ"],
    ),
    (
        "unhcr",
        ["Office of the United Nations High Commissioner for Refugees", "UNHCR"],
        ["联合国难民事务高级专员办事处", "难民署"],
        ["УВКБ"],
    ),
    (
        "unicef",
        ["United Nations Children's Fund", "UNICEF"],
        ["联合国儿童基金会", "儿童基金会", "儿基会"],
        ["Детский фонд Организации Объединенных Наций", "ЮНИСЕФ"],
    ),
    (
        "undp",
        ["United Nations Development Programme", "UNDP"],
        ["联合国开发计划署", "开发署"],
        ["Программа развития Организации Объединенных Наций", "ПРООН"],
    ),
    (
        "unep",
        ["United Nations Environment Programme", "UNEP"],
        ["联合国环境规划署", "环境署"],
        ["Программа Организации Объединенных Наций по окружающей среде", "ЮНЕП"],
    ),
    (
        "unfpa",
        ["United Nations Population Fund", "UNFPA"],
        ["联合国人口基金", "人口基金"],
        ["Фонд Организации Объединенных Наций в области народонаселения", "ЮНФПА"],
    ),
    (
        "unodc",
        ["United Nations Office on Drugs and Crime", "UNODC"],
        ["联合国毒品和犯罪问题办公室", "毒品和犯罪问题办公室"],
        ["Управление Организации Объединенных Наций по наркотикам и преступности", "ЮНОДК", "УНП ООН"],
    ),
    (
        "unesco",
        ["United Nations Educational, Scientific and Cultural Organization", "UNESCO"],
        ["联合国教育、科学及文化组织", "教科文组织"],
        ["Организация Объединенных Наций по вопросам образования, науки и культуры", "ЮНЕСКО"],
    ),
    ("unwomen", ["UN-Women", "UN Women"], ["妇女署"], ["Структура «ООН-женщины»", "ООН-женщины"]),
    (
        "who",
        ["World Health Organization", "WHO"],
        ["世界卫生组织", "世卫组织"],
        ["Всемирная организация здравоохранения", "ВОЗ"],
    ),
    (
        "wfp",
        ["World Food Programme", "WFP"],
        ["世界粮食计划署", "粮食署", "粮食计划署"],
        ["Всемирная продовольственная программа", "ВПП"],
    ),
    (
        "fao",
        ["Food and Agriculture Organization of the United Nations", "FAO"],
        ["联合国粮食及农业组织", "粮农组织"],
        ["Продовольственная и сельскохозяйственная организация Объединенных Наций", "ФАО"],
    ),
    (
        "ilo",
        ["International Labour Organization", "ILO"],
        ["国际劳工组织", "劳工组织"],
        ["Международная организация труда", "МОТ"],
    ),
    (
        "iaea",
        ["International Atomic Energy Agency", "IAEA"],
        ["国际原子能机构", "原子能机构"],
        ["Международное агентство по атомной энергии", "МАГАТЭ"],
    ),
    (
        "imf",
        ["International Monetary Fund", "IMF"],
        ["国际货币基金组织", "基金组织"],
        ["Международный валютный фонд", "МВФ"],
    ),
    ("wb", ["World Bank"], ["世界银行"], ["Всемирный банк"]),
    (
        "wto",
        ["World Trade Organization", "WTO"],
        ["世界贸易组织", "世贸组织"],
        ["Всемирная торговая организация", "ВТО"],
    ),
    ("icc", ["International Criminal Court"], ["国际刑事法院"], ["Международный уголовный суд"]),
    # UN peace operations and missions: each is named after its country (马里稳定团, "Mission in Mali"), which a
    # text then names once more itself; as bodies of their own, longest match first, they leave the country's
    # own mentions to be compared
    (
        "minusma",
        ["United Nations Multidimensional Integrated Stabilization Mission in Mali", "MINUSMA"],
        ["联合国马里多层面综合稳定团", "马里稳定团"],
        ["Многопрофильная комплексная миссия Организации Объединенных Наций по стабилизации в Мали", "МИНУСМА"],
    ),
    (
        "afisma",
        ["African-led International Support Mission in Mali", "AFISMA"],
        ["非洲主导的马里国际支助团", "马里支助团"],
        ["Международная миссия по поддержке в Мали под африканским руководством", "АФИСМА"],
    ),
    (
        "minusca",
        ["United Nations Multidimensional Integrated Stabilization Mission in the Central African Republic", "MINUSCA"],
        ["联合国中非共和国多层面综合稳定团", "中非稳定团"],
        [
            "Многопрофильная комплексная миссия Организации Объединенных Наций по стабилизации в "
            "Центральноафриканской Республике",
            "МИНУСКА",
        ],
    ),
    (
        "monusco",
        ["United Nations Organization Stabilization Mission in the Democratic Republic of the Congo", "MONUSCO"],
        ["联合国组织刚果民主共和国稳定特派团", "联刚稳定团"],
        ["Миссия Организации Объединенных Наций по стабилизации в Демократической Республике Конго", "МООНСДРК"],
    ),
    (
        "unama",
        ["United Nations Assistance Mission in Afghanistan", "UNAMA"],
        ["联合国阿富汗援助团", "联阿援助团"],
        ["Миссия Организации Объединенных Наций по содействию Афганистану", "МООНСА"],
    ),
    (
        "unami",
        ["United Nations Assistance Mission for Iraq", "UNAMI"],
        ["联合国伊拉克援助团", "联伊援助团"],
        ["Миссия Организации Объединенных Наций по содействию Ираку", "МООНСИ"],
    ),
    (
        "unmiss",
        ["United Nations Mission in South Sudan", "UNMISS"],
        ["联合国南苏丹共和国特派团", "南苏丹特派团"],
        ["Миссия Организации Объединенных Наций в Южном Судане", "МООНЮС"],
    ),
    (
        "unifil",
        ["United Nations Interim Force in Lebanon", "UNIFIL"],
        ["联合国驻黎巴嫩临时部队", "联黎部队"],
        ["Временные силы Организации Объединенных Наций в Ливане", "ВСООНЛ"],
    ),
    (
        "unsmil",
        ["United Nations Support Mission in Libya", "UNSMIL"],
        ["联合国利比亚支助团", "联利支助团"],
        ["Миссия Организации Объединенных Наций по поддержке в Ливии", "МООНПЛ"],
    ),
    (
        "unficyp",
        ["United Nations Peacekeeping Force in Cyprus", "UNFICYP"],
        ["联合国驻塞浦路斯维持和平部队", "联塞部队"],
        ["Вооруженные силы Организации Объединенных Наций по поддержанию мира на Кипре", "ВСООНК"],
    ),
    (
        "amisom",
        ["African Union Mission in Somalia", "AMISOM"],
        ["非洲联盟驻索马里特派团", "非索特派团"],
        ["Миссия Африканского союза в Сомали", "АМИСОМ"],
    ),
    ("au", ["African Union"], ["非洲联盟", "非盟"], ["Африканский союз"]),
    (
        "aupsc",
        ["African Union Peace and Security Council", "Peace and Security Council of the African Union"],
        ["非洲联盟和平与安全理事会", "非盟和平与安全理事会", "非盟和平与安全理事会"],
        ["Совет мира и безопасности Африканского союза"],
    ),
    ("eu", ["European Union"], ["欧洲联盟", "欧盟"], ["Европейский союз"]),
    (
        "osce",
        ["Organization for Security and Cooperation in Europe", "OSCE"],
        ["欧洲安全与合作组织", "欧安组织"],
        ["Организация по безопасности и сотрудничеству в Европе", "ОБСЕ"],
    ),
    (
        "nato",
        ["North Atlantic Treaty Organization", "NATO"],
        ["北大西洋公约组织", "北约"],
        ["Организация Североатлантического договора", "НАТО"],
    ),
    ("las", ["League of Arab States"], ["阿拉伯国家联盟", "阿盟"], ["Лига арабских государств"]),
    (
        "asean",
        ["Association of Southeast Asian Nations", "ASEAN"],
        ["东南亚国家联盟", "东盟"],
        ["Ассоциация государств Юго-Восточной Азии", "АСЕАН"],
    ),
    (
        "eccas",
        ["Economic Community of Central African States", "ECCAS"],
        ["中部非洲国家经济共同体", "中非经共体"],
        ["Экономическое сообщество центральноафриканских государств", "ЭСЦАГ"],
    ),
    (
        "ecowas",
        ["Economic Community of West African States", "ECOWAS"],
        ["西非国家经济共同体", "西非经共体"],
        ["Экономическое сообщество западноафриканских государств", "ЭКОВАС"],
    ),
    ("oic", ["Organization of Islamic Cooperation"], ["伊斯兰合作组织"], ["Организация исламского сотрудничества"]),
    (
        "icrc",
        ["International Committee of the Red Cross"],
        ["红十字国际委员会"],
        ["Международный комитет Красного Креста"],
    ),
]

# A form that is also part of longer everyday words: not taken when preceded by one of these characters
# (拉美国家 "Latin American countries" is not 美国; 缔约方大会 "a conference of the parties" not the Assembly).
HAN_NOT_AFTER: dict[str, str] = {
    "美国": "拉北南中欧",
    "中国": "集其",
    "大会": "方员表民口界届体东际组",
    "日本": "每",
    "秘书处": "约",
}


# Russian says "the Syrian people", "Argentine satellite" with an adjective of the country (сирийского народа,
# аргентинском спутнике), in lower case. The adjectives' stems are made by rule from the country's one-word
# Russian name (Сирия -> сирийск, Аргентина -> аргентинск, Судан -> суданск, Мали -> малийск); these are the
# ones no rule gives. A stem two countries would share (корейск, конголезск) is left out, and so are those a
# region or a continent shares (американск: Организация американских государств; южноафриканск, центральноафриканск).
RU_ADJECTIVES: dict[str, list[str]] = {
    "FR": ["французск"],
    "DE": ["германск", "немецк"],
    "TR": ["турецк"],
    "IT": ["итальянск"],
    "GB": ["британск"],
    "SE": ["шведск"],
    "NO": ["норвежск"],
    "HU": ["венгерск"],
    "GR": ["греческ"],
    "MA": ["марокканск"],
    "HT": ["гаитянск"],
    "PE": ["перуанск"],
    "TG": ["тоголезск"],
    "AF": ["афганск"],
    "TJ": ["таджикск"],
    "UZ": ["узбекск"],
    "KZ": ["казахск", "казахстанск"],
    "KG": ["кыргызск", "киргизск"],
    "TM": ["туркменск"],
    "BY": ["белорусск"],
    "LT": ["литовск"],
    "CZ": ["чешск"],
    "SK": ["словацк"],
    "GT": ["гватемальск"],
    "MT": ["мальтийск"],
    "UG": ["угандийск"],
    "RW": ["руандийск"],
    "BI": ["бурундийск"],
    "SN": ["сенегальск"],
    "BR": ["бразильск"],
    "MX": ["мексиканск"],
    "CH": ["швейцарск"],
    "DK": ["датск"],
    "FI": ["финск", "финляндск"],
    "NL": ["нидерландск", "голландск"],
    "RU": ["российск"],
    "JP": ["японск"],
    "IL": ["израильск"],
    "PK": ["пакистанск"],
    "ES": ["испанск"],
    "CN": ["китайск"],
    "IN": ["индийск"],
    "AU": ["австралийск"],
    "AT": ["австрийск"],
    "EG": ["египетск"],
    "SA": ["саудовск"],
    "NZ": ["новозеландск"],
    "SS": ["южносуданск"],
}


def ru_adjective_stems(name: str) -> list[str]:
    """The stems of a Russian country name's adjective by rule (Сирия -> сирийск, Судан -> суданск); [] for a
    name of several words (their adjectives are irregular or the name's own first word)."""
    w = name.lower().replace("ё", "е")
    if name.isupper() or not re.fullmatch(r"[а-я]{3,}", w):
        return []
    if w.endswith(("ия", "ея")):
        return [w[:-2] + "ийск", w[:-1] + "йск", w[:-2] + "ск"]  # Сирия, Гвинея, Испания
    if w.endswith("а"):
        return [w[:-1] + "ск", w[:-1] + "инск"]  # Канада, Аргентина
    if w.endswith(("и", "о", "у")):
        return [w + "йск"]  # Мали, Чили
    stems = [w + "ск"]  # Судан, Ирак, Китай, Израиль
    if w.endswith("стан"):
        stems.append(re.sub(r"и?стан$", "ск", w))  # Узбекистан -> узбекск
    return stems


def _iso_en(name: str) -> list[str]:
    """ "Korea, Republic of" -> "Republic of Korea" (the order UN texts use), and the name as it is."""
    forms = [name]
    if ", " in name:
        head, tail = name.split(", ", 1)
        forms.append(f"{tail} {head}")
    return forms


def build() -> dict[str, Any]:
    """The gazetteer as data (what gazetteer.json holds)."""
    import gettext

    import pycountry

    translations = {
        lang: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[code])
        for lang, code in (("zh", "zh_CN"), ("ru", "ru"))
    }
    entries: list[dict[str, Any]] = []
    for country in pycountry.countries:
        names: dict[str, list[str]] = {"en": [], "zh": [], "ru": []}
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                names["en"].extend(_iso_en(value))
                for lang, t in translations.items():
                    translated = t.gettext(value)
                    if translated != value:
                        names[lang].append(translated)
        for lang, more in COUNTRY_FORMS.get(country.alpha_2, {}).items():
            names[lang].extend(more)
        for lang in ("ru",):
            names[lang].extend([f.replace("ё", "е") for f in names[lang] if "ё" in f])
        entries.append(
            {
                "id": f"country:{country.alpha_2}",
                "kind": "country",
                "names": {lang: list(dict.fromkeys(forms)) for lang, forms in names.items() if forms},
            }
        )
    # adjective stems: those of one country only, of five letters or more
    claims: dict[str, set[str]] = {}
    for entry in entries:
        code = entry["id"].split(":")[1]
        for form in entry["names"].get("ru", []):
            for stem in ru_adjective_stems(form):
                claims.setdefault(stem, set()).add(entry["id"])
        for stem in RU_ADJECTIVES.get(code, []):
            claims.setdefault(stem, set()).add(entry["id"])
    for entry in entries:
        stems = sorted(s for s, ids in claims.items() if ids == {entry["id"]} and len(s) >= 5)
        if stems:
            entry["names"]["ru-adj"] = stems
    for key, en, zh, ru in BODIES:
        entries.append({"id": f"body:{key}", "kind": "body", "names": {"en": en, "zh": zh, "ru": ru}})
    return {
        "source": f"pycountry {getattr(pycountry, '__version__', '')} (ISO 3166-1, its zh_CN and ru translations) "
        "and accord/fidelity/gazetteer.py",
        "han_not_after": HAN_NOT_AFTER,
        "entries": entries,
    }


@lru_cache(maxsize=1)
def gazetteer() -> Directory:
    """The built-in gazetteer as a Directory (read once per process)."""
    from accord.fidelity.names import Directory

    data = json.loads(PATH.read_text(encoding="utf-8"))
    return Directory.from_json(data)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    data = build()
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if args == ["--write"]:
        PATH.write_text(text, encoding="utf-8")
        print(f"wrote {PATH} ({len(data['entries'])} entries)")
        return 0
    if args == ["--check"]:
        same = PATH.exists() and PATH.read_text(encoding="utf-8") == text
        print("gazetteer.json is up to date" if same else "gazetteer.json is out of date: run with --write")
        return 0 if same else 1
    print("usage: python -m accord.fidelity.gazetteer --write | --check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
