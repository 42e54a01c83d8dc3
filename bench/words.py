"""Science vocabulary in English, Russian and Chinese for synthetic titles and names (written for Accord).

Each list is parallel where that helps (a topic in three languages), so a project's titles in its
languages say roughly the same thing, as they do in real bilingual plans.
"""

from __future__ import annotations

# (en, ru, zh): the subject of a project.
TOPICS: list[tuple[str, str, str]] = [
    ("permafrost dynamics", "динамики многолетней мерзлоты", "多年冻土动态"),
    ("rare earth metallurgy", "металлургии редкоземельных элементов", "稀土冶金"),
    ("semiconductor materials", "полупроводниковых материалов", "半导体材料"),
    ("high-energy physics", "физики высоких энергий", "高能物理"),
    ("plant genetics", "генетики растений", "植物遗传学"),
    ("seismic hazard", "сейсмической опасности", "地震灾害"),
    ("coal gasification", "газификации угля", "煤炭气化"),
    ("river basin hydrology", "гидрологии речных бассейнов", "流域水文"),
    ("antibiotic resistance", "устойчивости к антибиотикам", "抗生素耐药性"),
    ("radio astronomy", "радиоастрономии", "射电天文学"),
    ("machine translation", "машинного перевода", "机器翻译"),
    ("polymer chemistry", "химии полимеров", "高分子化学"),
    ("soil salinisation", "засоления почв", "土壤盐渍化"),
    ("grain crop breeding", "селекции зерновых культур", "粮食作物育种"),
    ("petroleum geology", "нефтяной геологии", "石油地质"),
    ("laser spectroscopy", "лазерной спектроскопии", "激光光谱学"),
    ("infectious disease surveillance", "эпиднадзора за инфекционными болезнями", "传染病监测"),
    ("glacier mass balance", "баланса массы ледников", "冰川物质平衡"),
    ("superconducting magnets", "сверхпроводящих магнитов", "超导磁体"),
    ("marine ecosystems", "морских экосистем", "海洋生态系统"),
    ("catalytic cracking", "каталитического крекинга", "催化裂化"),
    ("power grid stability", "устойчивости энергосистем", "电网稳定性"),
    ("desert afforestation", "облесения пустынь", "沙漠造林"),
    ("vaccine production", "производства вакцин", "疫苗生产"),
    ("computational fluid dynamics", "вычислительной гидродинамики", "计算流体力学"),
    ("ore deposit exploration", "разведки рудных месторождений", "矿床勘探"),
    ("satellite geodesy", "спутниковой геодезии", "卫星大地测量"),
    ("animal husbandry", "животноводства", "畜牧业"),
    ("nuclear reactor safety", "безопасности ядерных реакторов", "核反应堆安全"),
    ("welding of heavy structures", "сварки тяжёлых конструкций", "重型结构焊接"),
    ("atmospheric aerosols", "атмосферных аэрозолей", "大气气溶胶"),
    ("traditional medicine", "традиционной медицины", "传统医学"),
    ("bridge engineering", "мостостроения", "桥梁工程"),
    ("quantum optics", "квантовой оптики", "量子光学"),
    ("fisheries management", "управления рыболовством", "渔业管理"),
    ("railway electrification", "электрификации железных дорог", "铁路电气化"),
    ("earthquake-resistant buildings", "сейсмостойких зданий", "抗震建筑"),
    ("protein crystallography", "белковой кристаллографии", "蛋白质晶体学"),
    ("mineral fertilisers", "минеральных удобрений", "矿物肥料"),
    ("climate modelling", "моделирования климата", "气候模拟"),
]

# (en, ru, zh): what is done about it.
ACTIONS: list[tuple[str, str, str]] = [
    ("Joint research on", "Совместные исследования", "联合研究"),
    ("Development of methods for", "Разработка методов", "方法开发"),
    ("Experimental study of", "Экспериментальное изучение", "实验研究"),
    ("Field observations of", "Полевые наблюдения", "野外观测"),
    ("Modelling and forecasting of", "Моделирование и прогнозирование", "建模与预测"),
    ("Technology transfer in", "Передача технологий в области", "技术转让"),
    ("Training of specialists in", "Подготовка специалистов в области", "专家培训"),
    ("Pilot application of", "Опытное применение", "试点应用"),
    ("Comparative analysis of", "Сравнительный анализ", "比较分析"),
    ("Standardisation of", "Стандартизация", "标准化"),
]

# (en, ru, zh): a qualifier that lengthens a title the way real ones grow.
QUALIFIERS: list[tuple[str, str, str]] = [
    ("under extreme climatic conditions", "в экстремальных климатических условиях", "极端气候条件下"),
    ("for industrial use", "для промышленного использования", "工业应用"),
    ("in the border regions", "в приграничных районах", "边境地区"),
    ("with new instrumentation", "с применением новой аппаратуры", "新型仪器"),
    ("and its economic assessment", "и его экономическая оценка", "及其经济评价"),
    ("at pilot scale", "в опытно-промышленном масштабе", "中试规模"),
    ("using remote sensing data", "с использованием данных дистанционного зондирования", "遥感数据"),
    ("for the national economy", "для народного хозяйства", "国民经济"),
    ("in mountain areas", "в горных районах", "山区"),
    ("with a shared database", "с созданием общей базы данных", "共享数据库"),
    ("and exchange of samples", "и обмен образцами", "样品交换"),
    ("for public health", "для здравоохранения", "公共卫生"),
]

ORG_KINDS: list[tuple[str, str, str, str]] = [
    # (Organisation.Kind, en, ru, zh)
    ("institute", "Institute of", "Институт", "研究所"),
    ("university", "University of", "Университет", "大学"),
    ("academy", "Academy of", "Академия", "科学院"),
    ("enterprise", "Works for", "Завод", "工厂"),
    ("ministry", "Ministry of", "Министерство", "部"),
]

PLACES_EN = ["Northern", "Southern", "Eastern", "Western", "Central", "Coastal", "Highland", "Lake", "River", "Capital"]
PLACES_RU = ["Северный", "Южный", "Восточный", "Западный", "Центральный", "Приморский", "Горный", "Озёрный"]
PLACES_ZH = ["北方", "南方", "东部", "西部", "中部", "沿海", "高原", "湖区", "江南", "首都"]

SURNAMES_ZH = [
    ("王", "Wang", "Ван"), ("李", "Li", "Ли"), ("张", "Zhang", "Чжан"), ("刘", "Liu", "Лю"), ("陈", "Chen", "Чэнь"),
    ("杨", "Yang", "Ян"), ("赵", "Zhao", "Чжао"), ("黄", "Huang", "Хуан"), ("周", "Zhou", "Чжоу"), ("吴", "Wu", "У"),
    ("徐", "Xu", "Сюй"), ("孙", "Sun", "Сунь"), ("马", "Ma", "Ма"), ("朱", "Zhu", "Чжу"), ("胡", "Hu", "Ху"),
]  # fmt: skip
GIVEN_ZH = [
    ("伟", "Wei", "Вэй"), ("芳", "Fang", "Фан"), ("敏", "Min", "Минь"), ("静", "Jing", "Цзин"), ("强", "Qiang", "Цян"),
    ("磊", "Lei", "Лэй"), ("军", "Jun", "Цзюнь"), ("洋", "Yang", "Ян"), ("勇", "Yong", "Юн"), ("艳", "Yan", "Янь"),
    ("杰", "Jie", "Цзе"), ("涛", "Tao", "Тао"), ("明", "Ming", "Мин"), ("超", "Chao", "Чао"), ("华", "Hua", "Хуа"),
]  # fmt: skip
SURNAMES_RU = [
    ("Иванов", "Ivanov", "伊万诺夫"), ("Петров", "Petrov", "彼得罗夫"), ("Смирнов", "Smirnov", "斯米尔诺夫"),
    ("Кузнецов", "Kuznetsov", "库兹涅佐夫"), ("Попов", "Popov", "波波夫"), ("Соколов", "Sokolov", "索科洛夫"),
    ("Лебедев", "Lebedev", "列别杰夫"), ("Козлов", "Kozlov", "科兹洛夫"), ("Новиков", "Novikov", "诺维科夫"),
    ("Морозов", "Morozov", "莫罗佐夫"), ("Волков", "Volkov", "沃尔科夫"), ("Алексеев", "Alekseev", "阿列克谢耶夫"),
]  # fmt: skip
GIVEN_RU = [
    ("Александр", "Aleksandr"), ("Сергей", "Sergei"), ("Николай", "Nikolai"), ("Ольга", "Olga"), ("Елена", "Elena"),
    ("Дмитрий", "Dmitry"), ("Анна", "Anna"), ("Михаил", "Mikhail"), ("Татьяна", "Tatiana"), ("Владимир", "Vladimir"),
]  # fmt: skip
GIVEN_EN = ["Anna", "David", "Maria", "Peter", "Laura", "Ahmed", "Sofia", "Jonas", "Ines", "Ravi", "Elif", "Tomas"]
SURNAMES_EN = ["Keller", "Novak", "Silva", "Haddad", "Okafor", "Larsen", "Moreau", "Rossi", "Tanaka", "Kaya", "Singh"]

ROLES = ["head of delegation", "expert", "trainee", "interpreter", "coordinator"]
