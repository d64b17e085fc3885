"""Why a customer may not download a release, said in their language.

The decision itself is `shared.entitlements.may_download`; this only explains a refusal.
"""

from datetime import date

from shared.i18n import Locale

_LAPSED: dict[str, str] = {
    "en": "Released after your coverage ended on {end}; renew your maintenance contract to download it.",
    "zh-TW": "此版本於您的保固/維護到期日 {end} 之後發布；請續購維護合約後再下載。",
    "zh-CN": "此版本在您的保修/维护到期日 {end} 之后发布；请续购维护合约后再下载。",
    "ja": "この版は保守期間の終了日（{end}）より後に公開されました。ダウンロードするには保守契約を更新してください。",
}
_NOT_HELD: dict[str, str] = {
    "en": "You hold no license of {product}; add one under Personal File / Product Licenses.",
    "zh-TW": "您尚未持有 {product} 的授權；請至「個人檔案 / 產品授權」新增授權。",
    "zh-CN": "您尚未持有 {product} 的授权；请至“个人档案 / 产品授权”新增授权。",
    "ja": "{product} のライセンスをお持ちではありません。「個人情報 / 製品ライセンス」でライセンスを追加してください。",
}


def refusal_reason(locale: Locale, product: str, coverage_end: date | None) -> str:
    if coverage_end is None:
        return _NOT_HELD[locale].format(product=product)
    return _LAPSED[locale].format(end=coverage_end.isoformat())
