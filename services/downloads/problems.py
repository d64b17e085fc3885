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
