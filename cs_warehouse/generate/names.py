"""Account and person names: Japanese and English company names, CSM names.

A few names need CSV quoting (commas, double quotes) on purpose, so that the raw
readers are exercised; names are made unique. Drawn from the ``names`` stream only,
so changing a word list changes no other column.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

JA_KATAKANA = ["ミライ", "サクラ", "アオバ", "ヒカリ", "ソラ", "ミドリ", "アサヒ", "ツバサ", "ハヤテ", "カエデ",
               "ミナト", "ヤマト", "スバル", "コスモ", "ホシゾラ", "ナギサ", "アカツキ", "イロハ", "キズナ",
               "ミツバ", "ヒノデ", "ウミカゼ", "ツムギ", "ハルカ", "シズク", "トキワ", "ワカバ", "アスナロ",
               "コハク", "ルリ", "ヒスイ", "ツクシ", "ユウヒ", "ハマナス", "オリオン", "ベガ", "アルタ", "ネクスト",
               "グローバル", "フロンティア"]
JA_KANJI = ["山田", "東京", "大阪", "日本", "大和", "富士", "北斗", "青葉", "中央", "新星", "三和", "東和",
            "丸一", "共栄", "平和", "昭和", "光陽", "太陽", "朝日", "旭", "神田", "横浜", "名古屋", "札幌",
            "博多", "仙台", "京都", "浪速", "湘南", "瀬戸内"]
JA_BUSINESS = ["製作所", "商事", "物流", "システムズ", "テクノロジーズ", "工業", "フーズ", "不動産", "建設",
               "電機", "運輸", "ソリューションズ", "印刷", "食品", "メディカル", "薬品", "教育", "人材サービス",
               "保険サービス", "企画", "デザイン", "ラボ", "ネットワークス", "エンジニアリング", "精工", "化学",
               "繊維", "リテール", "ダイニング", "ファーマシー"]
EN_FIRST = ["Northwind", "Bluefin", "Silverline", "Redwood", "Brightpath", "Cedar", "Summit", "Harbor",
            "Lakeside", "Ironclad", "Evergreen", "Sunrise", "Pinnacle", "Crescent", "Granite", "Meridian",
            "Horizon", "Atlas", "Beacon", "Copperleaf", "Driftwood", "Falcon", "Highland", "Juniper",
            "Keystone", "Lighthouse", "Maple", "Nimbus", "Orchard", "Polaris", "Quartz", "Riverbend",
            "Sapphire", "Tidewater", "Vantage", "Willow", "Zenith", "Aurora", "Bamboo", "Kestrel"]
EN_SECOND = ["Logistics", "Labs", "Systems", "Foods", "Health", "Capital", "Retail", "Robotics", "Analytics",
             "Learning", "Staffing", "Manufacturing", "Software", "Dining", "Partners", "Networks", "Motors",
             "Pharma", "Works", "Digital"]
EN_SUFFIX = ["K.K.", "Inc.", "Ltd.", "LLC", "Co., Ltd.", "G.K.", "Corp.", "Japan K.K."]
JA_FAMILY = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山口",
             "松本", "井上", "木村", "林", "斎藤", "清水", "山崎", "森", "池田", "橋本", "阿部", "石川",
             "前田", "藤田", "小川", "岡田", "後藤", "長谷川"]
JA_GIVEN = ["花子", "太郎", "美咲", "健太", "翔太", "陽菜", "結衣", "大輔", "直樹", "真由美", "裕子", "拓也",
            "彩", "悠斗", "葵", "蓮", "美穂", "和也", "恵", "修", "千尋", "亮", "さくら", "大翔", "優子",
            "誠", "奈々", "剛", "瞳", "学"]
EN_GIVEN = ["Emily", "James", "Olivia", "Daniel", "Sophia", "Michael", "Grace", "David", "Hannah", "Ryan",
            "Chloe", "Lucas", "Mia", "Ethan", "Ava", "Noah", "Lily", "Jack", "Ella", "Owen", "Zoe", "Liam",
            "Nora", "Henry", "Ruby", "Leo", "Isla", "Adam", "Maya", "Sam"]
EN_FAMILY = ["Carter", "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Clark", "Lewis", "Walker", "Hall",
             "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell",
             "Mitchell", "Roberts", "Turner", "Phillips", "Parker", "Evans", "Edwards", "Collins", "Stewart",
             "Morris"]


def _pick(rng, words, size):
    return np.asarray(words, dtype=object)[rng.integers(0, len(words), size)]


def _japanese_names(rng, size, long_form=False):
    stems = np.concatenate([np.asarray(JA_KATAKANA, dtype=object), np.asarray(JA_KANJI, dtype=object)])
    p = _pick(rng, stems, size)
    p2 = _pick(rng, stems, size)
    b = _pick(rng, JA_BUSINESS, size)
    form = rng.choice(6, size=size, p=[0.38, 0.25, 0.1, 0.08, 0.07, 0.12])
    if long_form:
        form = np.where(rng.random(size) < 0.5, 5, 0)
        p = p + p2
    out = np.empty(size, dtype=object)
    for i in range(size):
        f = form[i]
        if f == 0:
            out[i] = f"株式会社{p[i]}{b[i]}"
        elif f == 1:
            out[i] = f"{p[i]}{b[i]}株式会社"
        elif f == 2:
            out[i] = f"合同会社{p[i]}{b[i]}"
        elif f == 3:
            out[i] = f"{p[i]}ホールディングス株式会社"
        elif f == 4:
            out[i] = f"有限会社{p[i]}{b[i]}"
        else:
            out[i] = f"株式会社{p[i]}{p2[i]}{b[i]}"
    return out


def _english_names(rng, size, long_form=False):
    a = _pick(rng, EN_FIRST, size)
    a2 = _pick(rng, EN_FIRST, size)
    s = _pick(rng, EN_SECOND, size)
    x = _pick(rng, EN_SUFFIX, size)
    two = rng.random(size) < (1.0 if long_form else 0.15)
    return np.array([f"{a[i]} {a2[i]} {s[i]} {x[i]}" if two[i] else f"{a[i]} {s[i]} {x[i]}"
                     for i in range(size)], dtype=object)


def _account_names(rng, n):
    japanese = rng.random(n) < 0.5
    names = np.empty(n, dtype=object)
    names[japanese] = _japanese_names(rng, int(japanese.sum()))
    names[~japanese] = _english_names(rng, int((~japanese).sum()))
    # a few names that need CSV quoting: commas and double quotes
    n_special = max(3, int(round(n * 0.01)))
    special = rng.choice(n, size=min(n, n_special), replace=False)
    for j, i in enumerate(special):
        a, b = EN_FIRST[rng.integers(len(EN_FIRST))], EN_FAMILY[rng.integers(len(EN_FAMILY))]
        kind = j % 3
        if kind == 0:
            names[i] = f"{b}, {EN_FAMILY[rng.integers(len(EN_FAMILY))]} & Partners K.K."
        elif kind == 1:
            names[i] = f'The "{a}" Company Ltd.'
        else:
            names[i] = f'株式会社"{JA_KATAKANA[rng.integers(len(JA_KATAKANA))]}", {a} Branch'
        japanese[i] = kind == 2
    # make names unique: redraw duplicates with the long forms, then number what is left
    for _ in range(8):
        dup = pd.Series(names).duplicated().to_numpy()
        if not dup.any():
            break
        idx = np.nonzero(dup)[0]
        ja = japanese[idx]
        if ja.any():
            names[idx[ja]] = _japanese_names(rng, int(ja.sum()), long_form=True)
        if (~ja).any():
            names[idx[~ja]] = _english_names(rng, int((~ja).sum()), long_form=True)
    dup = pd.Series(names).duplicated().to_numpy()
    for k, i in enumerate(np.nonzero(dup)[0]):
        names[i] = f"{names[i]} ({k + 2})"
    return names, japanese


def _person_names(rng, n):
    japanese = rng.random(n) < 0.55
    out = np.empty(n, dtype=object)
    for i in range(n):
        if japanese[i]:
            out[i] = f"{JA_FAMILY[rng.integers(len(JA_FAMILY))]} {JA_GIVEN[rng.integers(len(JA_GIVEN))]}"
        else:
            out[i] = f"{EN_GIVEN[rng.integers(len(EN_GIVEN))]} {EN_FAMILY[rng.integers(len(EN_FAMILY))]}"
    return out
