"""Every problem the licensing service answers, with its title in the four languages."""

from shared.http.problems import ProblemType


def _t(en: str, zh_tw: str, zh_cn: str, ja: str) -> dict[str, str]:
    return {"en": en, "zh-TW": zh_tw, "zh-CN": zh_cn, "ja": ja}


LICENSE_NOT_FOUND = ProblemType(
    "license-not-found",
    404,
    _t(
        "No license matches this serial and registration number",
        "找不到符合此序號與註冊序號的授權",
        "找不到符合此序号与注册序号的授权",
        "このシリアルナンバーと登録番号に一致するライセンスはありません",
    ),
)
NOT_FOUND = ProblemType(
    "licensing-not-found",
    404,
    _t("Not found", "找不到資料", "找不到数据", "見つかりません"),
)
MALFORMED_SERIAL = ProblemType(
    "malformed-serial",
    422,
    _t(
        "This is not a valid serial number",
        "這不是有效的授權序號",
        "这不是有效的授权序号",
        "有効なシリアルナンバーではありません",
    ),
)
UNKNOWN_PRODUCT = ProblemType(
    "unknown-product",
    422,
    _t("Unknown product", "未知的產品", "未知的产品", "不明な製品です"),
)
ACCOUNT_NOT_VERIFIED = ProblemType(
    "account-not-verified",
    403,
    _t(
        "Verify your account before binding licenses",
        "請先完成帳號驗證再綁定授權",
        "请先完成帐号验证再绑定授权",
        "ライセンスを登録する前にアカウントを認証してください",
    ),
)
LICENSE_ALREADY_BOUND = ProblemType(
    "license-already-bound",
    409,
    _t(
        "This license is already bound to another account",
        "此授權已綁定至其他帳號",
        "此授权已绑定至其他帐号",
        "このライセンスは既に別のアカウントに登録されています",
    ),
)
LICENSE_NOT_BOUND_TO_YOU = ProblemType(
    "license-not-bound-to-you",
    409,
    _t(
        "Bind the license to your account before its maintenance contract",
        "請先將授權綁定至您的帳號，再綁定維護合約",
        "请先将授权绑定至您的帐号，再绑定维护合约",
        "保守契約の前にライセンスをアカウントに登録してください",
    ),
)
COVERAGE_GAP = ProblemType(
    "coverage-gap",
    409,
    _t(
        "This contract would leave a gap in coverage",
        "此合約會造成保固期間中斷",
        "此合约会造成保修期间中断",
        "この契約では保守期間に空白が生じます",
    ),
)
COVERAGE_OVERLAP = ProblemType(
    "coverage-overlap",
    409,
    _t(
        "This contract overlaps days that are already covered",
        "此合約與已涵蓋的期間重疊",
        "此合约与已覆盖的期间重叠",
        "この契約は既に保守対象の期間と重複しています",
    ),
)
ALREADY_VOID = ProblemType(
    "already-void",
    409,
    _t("This is already void", "此項目已作廢", "此项目已作废", "既に無効化されています"),
)
LICENSE_VOID = ProblemType(
    "license-void",
    409,
    _t("This license is void", "此授權已作廢", "此授权已作废", "このライセンスは無効です"),
)
NOT_BOUND = ProblemType(
    "license-not-bound",
    409,
    _t(
        "This license is not bound to any account",
        "此授權尚未綁定任何帳號",
        "此授权尚未绑定任何帐号",
        "このライセンスはどのアカウントにも登録されていません",
    ),
)
MOVE_TARGET_NOT_VERIFIED = ProblemType(
    "move-target-not-verified",
    422,
    _t(
        "The target account is unknown or not verified",
        "目標帳號不存在或尚未驗證",
        "目标帐号不存在或尚未验证",
        "移動先のアカウントが存在しないか、認証されていません",
    ),
)
IMPORT_INVALID = ProblemType(
    "import-invalid",
    422,
    _t(
        "The import file has errors; nothing was imported",
        "匯入檔案有錯誤，未匯入任何資料",
        "导入文件有错误，未导入任何数据",
        "インポートファイルに誤りがあるため、何もインポートされませんでした",
    ),
)
IMPORT_TOO_LARGE = ProblemType(
    "import-too-large",
    413,
    _t(
        "The import file is too large",
        "匯入檔案過大",
        "导入文件过大",
        "インポートファイルが大きすぎます",
    ),
)
NOT_VOID = ProblemType(
    "not-void",
    409,
    _t("This is not void", "此項目未作廢", "此项目未作废", "無効化されていません"),
)
