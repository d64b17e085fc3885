"""Every problem the downloads service answers with, titled in the four languages."""

from shared.http.problems import ProblemType

RELEASE_NOT_FOUND = ProblemType(
    "release-not-found",
    404,
    {
        "en": "Release not found",
        "zh-TW": "找不到此版本",
        "zh-CN": "找不到此版本",
        "ja": "リリースが見つかりません",
    },
)
ARTIFACT_NOT_FOUND = ProblemType(
    "artifact-not-found",
    404,
    {
        "en": "File not found in this release",
        "zh-TW": "此版本中找不到該檔案",
        "zh-CN": "此版本中找不到该文件",
        "ja": "このリリースにそのファイルはありません",
    },
)
NOT_ENTITLED = ProblemType(
    "not-entitled",
    403,
    {
        "en": "You are not entitled to download this",
        "zh-TW": "您沒有下載此檔案的權限",
        "zh-CN": "您没有下载此文件的权限",
        "ja": "このファイルをダウンロードする権利がありません",
    },
)
RELEASE_WITHDRAWN = ProblemType(
    "release-withdrawn",
    409,
    {
        "en": "This release was withdrawn",
        "zh-TW": "此版本已撤回",
        "zh-CN": "此版本已撤回",
        "ja": "このリリースは取り下げられました",
    },
)
RELEASE_STATE_CONFLICT = ProblemType(
    "release-state-conflict",
    409,
    {
        "en": "The release is not in a state that allows this",
        "zh-TW": "此版本目前的狀態不允許此操作",
        "zh-CN": "此版本当前的状态不允许此操作",
        "ja": "リリースの現在の状態ではこの操作はできません",
    },
)
UPLOAD_NOT_FOUND = ProblemType(
    "upload-not-found",
    404,
    {
        "en": "Upload not found",
        "zh-TW": "找不到此上傳作業",
        "zh-CN": "找不到此上传任务",
        "ja": "アップロードが見つかりません",
    },
)
UPLOAD_INCOMPLETE = ProblemType(
    "upload-incomplete",
    409,
    {
        "en": "The upload is not complete",
        "zh-TW": "上傳尚未完成",
        "zh-CN": "上传尚未完成",
        "ja": "アップロードが完了していません",
    },
)
UPLOAD_REJECTED = ProblemType(
    "upload-rejected",
    422,
    {
        "en": "The uploaded file does not match what was declared",
        "zh-TW": "上傳的檔案與宣告的內容不符",
        "zh-CN": "上传的文件与声明的内容不符",
        "ja": "アップロードされたファイルが宣言内容と一致しません",
    },
)
BAD_PERIOD = ProblemType(
    "bad-period",
    422,
    {
        "en": "This period cannot be shown",
        "zh-TW": "無法顯示此期間",
        "zh-CN": "无法显示此期间",
        "ja": "この期間は表示できません",
    },
)
