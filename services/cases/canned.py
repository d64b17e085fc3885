"""Canned answers for questions outside support's scope, in the customer's language.

Support covers the product itself; the customer's operating system, database, network,
hardware, viruses and their own forms and flows are not covered, and installation or custom work
goes to a local professional-services partner. Engineers answer those politely and the same way
every time, so the texts live here as messages (shared.messages), reviewed once in each language.
"""

from typing import Literal, get_args

from shared.i18n import Locale
from shared.messages import Text

CannedTopic = Literal[
    "operating_system", "database", "network", "hardware", "virus", "custom_forms", "installation"
]
TOPICS: tuple[CannedTopic, ...] = get_args(CannedTopic)

CLOSING = Text(
    "cases.canned.closing",
    en="If the problem turns out to be in the product itself, reply to this case and we will continue.",
    zh_tw="若確認問題出在本產品本身，請直接回覆此案件，我們會繼續協助。",
    zh_cn="若确认问题出在本产品本身，请直接回复此案件，我们会继续协助。",
    ja="問題が製品自体にあると判明した場合は、この案件に返信してください。引き続き対応いたします。",
)

_ANSWERS: dict[CannedTopic, Text] = {
    "operating_system": Text(
        "cases.canned.operating-system",
        en="Thank you for your question. Product support covers the product itself; questions about your operating system are outside its scope, so we cannot investigate them here. Please contact the administrator or vendor responsible for it.",
        zh_tw="感謝您的來信。產品支援的範圍是本產品本身；關於您的作業系統的問題不在支援範圍內，因此我們無法在此協助調查。請洽詢負責該項目的管理人員或廠商。",
        zh_cn="感谢您的来信。产品支持的范围是本产品本身；关于您的操作系统的问题不在支持范围内，因此我们无法在此协助调查。请咨询负责该项目的管理人员或厂商。",
        ja="お問い合わせありがとうございます。製品サポートの対象は製品自体であり、お客様のオペレーティングシステムに関するご質問はサポート対象外のため、こちらでは調査いたしかねます。担当の管理者またはベンダーにご相談ください。",
    ),
    "database": Text(
        "cases.canned.database",
        en="Thank you for your question. Product support covers the product itself; questions about your database are outside its scope, so we cannot investigate them here. Please contact the administrator or vendor responsible for it.",
        zh_tw="感謝您的來信。產品支援的範圍是本產品本身；關於您的資料庫的問題不在支援範圍內，因此我們無法在此協助調查。請洽詢負責該項目的管理人員或廠商。",
        zh_cn="感谢您的来信。产品支持的范围是本产品本身；关于您的数据库的问题不在支持范围内，因此我们无法在此协助调查。请咨询负责该项目的管理人员或厂商。",
        ja="お問い合わせありがとうございます。製品サポートの対象は製品自体であり、お客様のデータベースに関するご質問はサポート対象外のため、こちらでは調査いたしかねます。担当の管理者またはベンダーにご相談ください。",
    ),
    "network": Text(
        "cases.canned.network",
        en="Thank you for your question. Product support covers the product itself; questions about your network are outside its scope, so we cannot investigate them here. Please contact the administrator or vendor responsible for it.",
        zh_tw="感謝您的來信。產品支援的範圍是本產品本身；關於您的網路環境的問題不在支援範圍內，因此我們無法在此協助調查。請洽詢負責該項目的管理人員或廠商。",
        zh_cn="感谢您的来信。产品支持的范围是本产品本身；关于您的网络环境的问题不在支持范围内，因此我们无法在此协助调查。请咨询负责该项目的管理人员或厂商。",
        ja="お問い合わせありがとうございます。製品サポートの対象は製品自体であり、お客様のネットワークに関するご質問はサポート対象外のため、こちらでは調査いたしかねます。担当の管理者またはベンダーにご相談ください。",
    ),
    "hardware": Text(
        "cases.canned.hardware",
        en="Thank you for your question. Product support covers the product itself; questions about your hardware are outside its scope, so we cannot investigate them here. Please contact the administrator or vendor responsible for it.",
        zh_tw="感謝您的來信。產品支援的範圍是本產品本身；關於您的硬體的問題不在支援範圍內，因此我們無法在此協助調查。請洽詢負責該項目的管理人員或廠商。",
        zh_cn="感谢您的来信。产品支持的范围是本产品本身；关于您的硬件的问题不在支持范围内，因此我们无法在此协助调查。请咨询负责该项目的管理人员或厂商。",
        ja="お問い合わせありがとうございます。製品サポートの対象は製品自体であり、お客様のハードウェアに関するご質問はサポート対象外のため、こちらでは調査いたしかねます。担当の管理者またはベンダーにご相談ください。",
    ),
    "virus": Text(
        "cases.canned.virus",
        en="Thank you for your question. Product support covers the product itself; questions about viruses and malware on your systems are outside its scope, so we cannot investigate them here. Please contact the administrator or vendor responsible for it.",
        zh_tw="感謝您的來信。產品支援的範圍是本產品本身；關於您系統上的病毒與惡意程式的問題不在支援範圍內，因此我們無法在此協助調查。請洽詢負責該項目的管理人員或廠商。",
        zh_cn="感谢您的来信。产品支持的范围是本产品本身；关于您系统上的病毒与恶意程序的问题不在支持范围内，因此我们无法在此协助调查。请咨询负责该项目的管理人员或厂商。",
        ja="お問い合わせありがとうございます。製品サポートの対象は製品自体であり、お客様のシステム上のウイルスやマルウェアに関するご質問はサポート対象外のため、こちらでは調査いたしかねます。担当の管理者またはベンダーにご相談ください。",
    ),
    "custom_forms": Text(
        "cases.canned.custom-forms",
        en="Thank you for your question. Product support covers the product itself; questions about the forms and flows you built with the product are outside its scope, so we cannot investigate them here. Please contact the administrator or vendor responsible for it.",
        zh_tw="感謝您的來信。產品支援的範圍是本產品本身；關於您以本產品自行建置的表單與流程的問題不在支援範圍內，因此我們無法在此協助調查。請洽詢負責該項目的管理人員或廠商。",
        zh_cn="感谢您的来信。产品支持的范围是本产品本身；关于您以本产品自行构建的表单与流程的问题不在支持范围内，因此我们无法在此协助调查。请咨询负责该项目的管理人员或厂商。",
        ja="お問い合わせありがとうございます。製品サポートの対象は製品自体であり、お客様が製品で作成したフォームやフローに関するご質問はサポート対象外のため、こちらでは調査いたしかねます。担当の管理者またはベンダーにご相談ください。",
    ),
    "installation": Text(
        "cases.canned.installation",
        en="Thank you for your question. Installation, migration and custom development are not part of product support; our local professional-services partners offer them. We recommend contacting a partner in your region, who can quote and carry out the work.",
        zh_tw="感謝您的來信。安裝、移轉與客製開發不屬於產品支援範圍，由我們在各地的專業服務合作夥伴提供。建議您聯繫所在地區的合作夥伴，由其為您報價並執行。",
        zh_cn="感谢您的来信。安装、迁移与定制开发不属于产品支持范围，由我们在各地的专业服务合作伙伴提供。建议您联系所在地区的合作伙伴，由其为您报价并执行。",
        ja="お問い合わせありがとうございます。インストール、移行、カスタム開発は製品サポートの対象外で、各地域のプロフェッショナルサービスパートナーが提供しています。お客様の地域のパートナーにご相談いただくと、見積もりと作業を承ります。",
    ),
}


def closing(locale: Locale) -> str:
    """The last paragraph of every prepared answer: the case stays open for product questions."""
    return CLOSING().render(locale)


def canned_answer(topic: CannedTopic, locale: Locale) -> str:
    """The answer to a question about `topic`, in `locale`, ready to send as a reply."""
    return f"{_ANSWERS[topic]().render(locale)}\n\n{closing(locale)}"
