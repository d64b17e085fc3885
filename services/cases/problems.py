"""Every problem the cases service answers with, titled in the four languages."""

from shared.http.problems import ProblemType

LICENSE_NOT_FOUND = ProblemType(
    "license-not-found",
    404,
    {
        "en": "License not found in your account",
        "zh-TW": "您的帳號中找不到此授權",
        "zh-CN": "您的帐号中找不到此授权",
        "ja": "お客様のアカウントにこのライセンスは見つかりません",
    },
)
NO_ACTIVE_COVERAGE = ProblemType(
    "no-active-coverage",
    403,
    {
        "en": "This license has no active support coverage",
        "zh-TW": "此授權目前不在保固或維護合約期間內",
        "zh-CN": "此授权目前不在保修或维护合约期间内",
        "ja": "このライセンスは現在サポート対象期間外です",
    },
)
CASE_NOT_FOUND = ProblemType(
    "case-not-found",
    404,
    {
        "en": "Case not found",
        "zh-TW": "找不到此案件",
        "zh-CN": "找不到此案件",
        "ja": "案件が見つかりません",
    },
)
INTERNAL_NOTE_STAFF_ONLY = ProblemType(
    "internal-note-staff-only",
    403,
    {
        "en": "Only support staff can write internal notes",
        "zh-TW": "只有客服人員可以撰寫內部備註",
        "zh-CN": "只有客服人员可以撰写内部备注",
        "ja": "内部メモはサポート担当者のみ作成できます",
    },
)
STATUS_CHANGE_NOT_ALLOWED = ProblemType(
    "status-change-not-allowed",
    403,
    {
        "en": "You cannot set this status",
        "zh-TW": "您無法將案件設為此狀態",
        "zh-CN": "您无法将案件设为此状态",
        "ja": "このステータスには変更できません",
    },
)
CASE_CLOSED = ProblemType(
    "case-closed",
    409,
    {
        "en": "This case is closed",
        "zh-TW": "此案件已結案",
        "zh-CN": "此案件已结案",
        "ja": "この案件はクローズされています",
    },
)
INVALID_TRANSITION = ProblemType(
    "invalid-transition",
    409,
    {
        "en": "The case cannot move to this status from its current one",
        "zh-TW": "案件無法從目前狀態變更為此狀態",
        "zh-CN": "案件无法从当前状态变更为此状态",
        "ja": "現在のステータスからこのステータスには変更できません",
    },
)
REOPEN_WINDOW_PASSED = ProblemType(
    "reopen-window-passed",
    409,
    {
        "en": "This case can no longer be reopened",
        "zh-TW": "此案件已超過可重新開啟的期限",
        "zh-CN": "此案件已超过可重新开启的期限",
        "ja": "この案件は再オープンできる期間を過ぎています",
    },
)
STAFF_ONLY = ProblemType(
    "staff-only",
    403,
    {
        "en": "Only support staff can do this",
        "zh-TW": "只有客服人員可以執行此操作",
        "zh-CN": "只有客服人员可以执行此操作",
        "ja": "この操作はサポート担当者のみ行えます",
    },
)
ASSIGNEE_NOT_ELIGIBLE = ProblemType(
    "assignee-not-eligible",
    422,
    {
        "en": "This person cannot be assigned to the case",
        "zh-TW": "無法將案件指派給此人員",
        "zh-CN": "无法将案件指派给此人员",
        "ja": "この担当者には案件を割り当てられません",
    },
)
ATTACHMENT_TOO_LARGE = ProblemType(
    "attachment-too-large",
    413,
    {
        "en": "The file is too large to attach",
        "zh-TW": "檔案太大，無法附加",
        "zh-CN": "文件太大，无法附加",
        "ja": "ファイルが大きすぎるため添付できません",
    },
)
ATTACHMENT_TYPE_NOT_ALLOWED = ProblemType(
    "attachment-type-not-allowed",
    415,
    {
        "en": "This type of file cannot be attached",
        "zh-TW": "無法附加此類型的檔案",
        "zh-CN": "无法附加此类型的文件",
        "ja": "この種類のファイルは添付できません",
    },
)
UPLOAD_INCOMPLETE = ProblemType(
    "upload-incomplete",
    409,
    {
        "en": "The file has not been uploaded completely",
        "zh-TW": "檔案尚未完整上傳",
        "zh-CN": "文件尚未完整上传",
        "ja": "ファイルのアップロードが完了していません",
    },
)
ATTACHMENT_NOT_FOUND = ProblemType(
    "attachment-not-found",
    404,
    {
        "en": "Attachment not found",
        "zh-TW": "找不到此附件",
        "zh-CN": "找不到此附件",
        "ja": "添付ファイルが見つかりません",
    },
)
ADMIN_ONLY = ProblemType(
    "admin-only",
    403,
    {
        "en": "Only administrators can change this",
        "zh-TW": "只有管理員可以變更此項目",
        "zh-CN": "只有管理员可以更改此项目",
        "ja": "この項目は管理者のみ変更できます",
    },
)
PARTNER_NOT_FOUND = ProblemType(
    "partner-not-found",
    404,
    {
        "en": "Partner not found",
        "zh-TW": "找不到此合作夥伴",
        "zh-CN": "找不到此合作伙伴",
        "ja": "パートナーが見つかりません",
    },
)
