"""Canned answers for questions outside support's scope, in the customer's language.

Support covers the product itself; the customer's operating system, database, network,
hardware, viruses and their own forms and flows are not covered, and installation or custom work
goes to a local professional-services partner. Engineers answer those politely and the same way
every time, so the texts live here, reviewed once in each language.
"""

from typing import Literal, get_args

from shared.i18n import Locale

CannedTopic = Literal[
    "operating_system", "database", "network", "hardware", "virus", "custom_forms", "installation"
]
TOPICS: tuple[CannedTopic, ...] = get_args(CannedTopic)

_CLOSING: dict[Locale, str] = {
    "en": "If the problem turns out to be in the product itself, reply to this case and we will continue.",
    "zh-TW": "若確認問題出在本產品本身，請直接回覆此案件，我們會繼續協助。",
    "zh-CN": "若确认问题出在本产品本身，请直接回复此案件，我们会继续协助。",
    "ja": "問題が製品自体にあると判明した場合は、この案件に返信してください。引き続き対応いたします。",
}

_SUBJECTS: dict[CannedTopic, dict[Locale, str]] = {
    "operating_system": {
        "en": "your operating system",
        "zh-TW": "您的作業系統",
        "zh-CN": "您的操作系统",
        "ja": "お客様のオペレーティングシステム",
    },
    "database": {
        "en": "your database",
        "zh-TW": "您的資料庫",
        "zh-CN": "您的数据库",
        "ja": "お客様のデータベース",
    },
    "network": {
        "en": "your network",
        "zh-TW": "您的網路環境",
        "zh-CN": "您的网络环境",
        "ja": "お客様のネットワーク",
    },
    "hardware": {
        "en": "your hardware",
        "zh-TW": "您的硬體",
        "zh-CN": "您的硬件",
        "ja": "お客様のハードウェア",
    },
    "virus": {
        "en": "viruses and malware on your systems",
        "zh-TW": "您系統上的病毒與惡意程式",
        "zh-CN": "您系统上的病毒与恶意程序",
        "ja": "お客様のシステム上のウイルスやマルウェア",
    },
    "custom_forms": {
        "en": "the forms and flows you built with the product",
        "zh-TW": "您以本產品自行建置的表單與流程",
        "zh-CN": "您以本产品自行构建的表单与流程",
        "ja": "お客様が製品で作成したフォームやフロー",
    },
}

_OUT_OF_SCOPE: dict[Locale, str] = {
    "en": "Thank you for your question. Product support covers the product itself; questions about "
    "{subject} are outside its scope, so we cannot investigate them here. Please contact the "
    "administrator or vendor responsible for it.",
    "zh-TW": "感謝您的來信。產品支援的範圍是本產品本身；關於{subject}的問題不在支援範圍內，"
    "因此我們無法在此協助調查。請洽詢負責該項目的管理人員或廠商。",
    "zh-CN": "感谢您的来信。产品支持的范围是本产品本身；关于{subject}的问题不在支持范围内，"
    "因此我们无法在此协助调查。请咨询负责该项目的管理人员或厂商。",
    "ja": "お問い合わせありがとうございます。製品サポートの対象は製品自体であり、{subject}に関するご質問は"
    "サポート対象外のため、こちらでは調査いたしかねます。担当の管理者またはベンダーにご相談ください。",
}

_INSTALLATION: dict[Locale, str] = {
    "en": "Thank you for your question. Installation, migration and custom development are not part of "
    "product support; our local professional-services partners offer them. We recommend contacting a "
    "partner in your region, who can quote and carry out the work.",
    "zh-TW": "感謝您的來信。安裝、移轉與客製開發不屬於產品支援範圍，由我們在各地的專業服務合作夥伴提供。"
    "建議您聯繫所在地區的合作夥伴，由其為您報價並執行。",
    "zh-CN": "感谢您的来信。安装、迁移与定制开发不属于产品支持范围，由我们在各地的专业服务合作伙伴提供。"
    "建议您联系所在地区的合作伙伴，由其为您报价并执行。",
    "ja": "お問い合わせありがとうございます。インストール、移行、カスタム開発は製品サポートの対象外で、"
    "各地域のプロフェッショナルサービスパートナーが提供しています。お客様の地域のパートナーにご相談いただくと、"
    "見積もりと作業を承ります。",
}


def closing(locale: Locale) -> str:
    """The last paragraph of every prepared answer: the case stays open for product questions."""
    return _CLOSING[locale]


def canned_answer(topic: CannedTopic, locale: Locale) -> str:
    """The answer to a question about `topic`, in `locale`, ready to send as a reply."""
    if topic == "installation":
        body = _INSTALLATION[locale]
    else:
        body = _OUT_OF_SCOPE[locale].format(subject=_SUBJECTS[topic][locale])
    return f"{body}\n\n{_CLOSING[locale]}"
