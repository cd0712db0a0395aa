"""Display names as a real lounge writes them: every script the bot must show,
emoji sequences, combining marks, invisible tricks, and a name as long as
Discord allows (32 characters)."""

from __future__ import annotations

# (what it is, the name)
LATIN = [("accents", "Zoë Renée"), ("accents, folded", "Zoe Renee"), ("Beyoncé", "Beyoncé Knowles-Carter"),
         ("Polish", "Łukasz Żółć")]
GREEK = [("Greek", "Δημήτρης Παπαδόπουλος")]
CYRILLIC = [("Cyrillic", "Анастасия Иванова")]
HEBREW = [("Hebrew", "דני כהן")]
ARABIC = [("Arabic", "محمد الأحمد"), ("Persian, with a joiner", "علی‌رضا")]
DEVANAGARI = [("Devanagari", "प्रियंका चोपड़ा")]
THAI = [("Thai", "สมชาย ใจดี")]
CHINESE = [("Chinese", "王小明")]
JAPANESE = [("Japanese, kanji", "山田太郎"), ("Japanese, kana", "やまだ たろう")]
KOREAN = [("Korean", "김민준")]
EMOJI = [
    ("emoji around words", "🍿 Popcorn Queen 👑"),
    ("a ZWJ family", "👨‍👩‍👧‍👦 The Parkers"),
    ("flags", "🇯🇵 Kenji 🇧🇷"),
    ("a subdivision flag", "🏴󠁧󠁢󠁳󠁣󠁴󠁿 Callum"),
    ("skin tones", "👍🏽 Ayo 👋🏿"),
    ("a keycap and a heart", "1️⃣ Fan ❤️"),
    ("an emoji ZWJ profession", "👩🏽‍💻 Priya"),
]
COMBINING = [("combining marks, not precomposed", "Zoe\u0308 Rene\u0301e"), ("Vietnamese", "Nguyễn Thị Ánh")]
MIXED = [("Latin and Arabic", "Ahmed أحمد 🍿"), ("Hebrew with digits", "דני 2024")]
LONG = [("32 characters", "Maximilian Alexander Worthington")]
INVISIBLE = [("only a zero-width space", "\u200b"), ("padded with a zero-width space", "Zoë Renée\u200b"),
             ("a Hangul filler", "\u3164"), ("a right-to-left override", "\u202eevil")]

VISIBLE_NAMES = [
    *LATIN, *GREEK, *CYRILLIC, *HEBREW, *ARABIC, *DEVANAGARI, *THAI, *CHINESE, *JAPANESE, *KOREAN, *EMOJI,
    *COMBINING, *MIXED, *LONG,
]
ALL_NAMES = [*VISIBLE_NAMES, *INVISIBLE]
RIGHT_TO_LEFT = [name for _, name in (*HEBREW, *ARABIC, *MIXED)]

assert all(len(name) <= 32 for _, name in ALL_NAMES)
assert len(LONG[0][1]) == 32
