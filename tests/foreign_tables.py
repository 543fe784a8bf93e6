"""Three other jurisdictions' own 序时进度表, as their offices make them.

* 新城区 (.xlsx): a 区 with 街道; 序号 | 重点任务 | 工作措施 | 完成时限 | 牵头单位 | 配合单位;
  category rows spanning the table, a header repeated mid-table, merged 序号 and
  task cells, a title and an "附件1" line above, "X牵头，Y配合" in one cell.
* 河口县 (.docx): 工作任务 | 工作举措 | 工作要求 | 时间节点 | 责任单位 | 备注 — category,
  task and requirement columns like the shipped plan's, vertically and
  horizontally merged cells, the table split in two with its header repeated.
* 乌兰旗 (.xlsx): headers nobody infers (主办单位 / 协办单位), read with
  ``--columns``; no categories, unnumbered tasks retyped on every row, a 序号
  that numbers rows, a note under the table.

Between them every deadline wording of issue 14 and every collective phrase
(各乡镇人民政府 / 各镇 / 各街道办事处 / 各负有安全生产监管职责的部门 / 各成员单位 /
各有关部门 / "X等部门" / "X牵头，Y配合" / 牵头单位：…；配合单位：…).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import openpyxl
from docx import Document


@dataclass
class Foreign:
    name: str  # the jurisdiction
    file: str
    jurisdiction: str  # 县 / 区 / 旗
    columns: str  # --columns, "" when the header words are read
    office: str  # what the office fills in: name, 代字
    code: str
    lead_unit: str  # a unit to ask for by a short name (--unit)
    lead_full: str
    build: object = None


def xinchengqu(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "重点任务"
    ws["A1"] = "附件1"
    ws["A2"] = "新城区安全生产治本攻坚三年行动实施方案重点任务清单"
    ws.merge_cells("A2:F2")
    header = ["序号", "重点任务", "工作措施", "完成时限", "牵头单位", "配合单位"]
    rows = [
        header,
        ["一、压实安全生产责任"],
        [1, "落实党政领导责任", "制定区级安全生产责任清单", "2024年底前", "区应急管理局", "区委组织部"],
        [None, None, "每季度研究一次安全生产工作", "每季度", "区应急局", "各街道办事处"],
        [2, "强化部门监管责任", "修订监管权责清单", "二〇二四年六月底前", "区住建局", "区交通运输局等部门"],
        [3, "压实街道属地责任", "建立网格化监管台账", "2024年第三季度", "东城街道办事处", None],
        [None, None, "开展街道安全检查", "每月", "西城街道", None],
        header,
        ["二、开展隐患排查整治"],
        [4, "开展重大事故隐患排查", "建立隐患台账", "2025年上半年", "各负有安全生产监管职责的部门", None],
        [None, None, "重大事故隐患动态清零", "持续推进", "区应急管理局牵头，区公安分局、区市场监管局配合", None],
        [5, "开展安全宣传教育", "开展安全生产月活动", "每年6月", "区委宣传部", "各街道办事处"],
        [6, "组织应急演练", "组织综合应急演练", "2025年一季度末", "区应急局", "区消防救援大队、东城街道"],
    ]
    for row in rows:
        ws.append(row)
    for r in (4, 11):  # category rows across the table
        ws.merge_cells(f"A{r}:F{r}")
    for a, b in ((5, 6), (8, 9), (12, 13)):  # 序号 and task merged over their rows
        ws.merge_cells(f"A{a}:A{b}")
        ws.merge_cells(f"B{a}:B{b}")
    wb.save(path)
    return path


def hekouxian(path: Path) -> Path:
    doc = Document()
    for text in ("附件2", "河口县安全生产治本攻坚三年行动实施方案序时进度表", "（2024—2026年）"):
        doc.add_paragraph(text)
    header = ["工作任务", "工作举措", "工作要求", "时间节点", "责任单位", "备注"]
    first = [
        ["（一）压实安全生产责任", "全面压实党政领导责任、部门监管责任和企业主体责任。", "", "", "", ""],
        ["", "1. 落实党政领导责任", "县委常委会每年研究安全生产工作", "各年度序时推动", "县委办公室、县政府办公室", ""],
        ["", "", "开展一次安全生产专项督查", "2025年年中", "", ""],
        ["", "2. 落实部门监管责任", "修订部门安全生产权力和责任清单", "2024年12月底", "各成员单位", ""],
        ["", "", "健全安全生产考核办法", "2025年6月30日前完成", "县应急局", "以县安委会名义印发"],
        ["（二）开展隐患排查整治", "推动重大事故隐患动态清零。", "", "", "", ""],
        ["", "3. 开展重大事故隐患排查整治", "每半年开展一次全面排查", "每半年",
         "县应急管理局、县住建局、县发展改革局（科学技术局）等部门", ""],
        ["", "", "建立隐患整改台账", "长期坚持", "县住房和城乡建设局", ""],
        ["", "4. 开展乡镇安全生产检查", "每月开展一次检查", "每月", "各乡镇人民政府", ""],
        ["", "", "汛期前完成河道隐患排查", "2025年下半年", "城关镇人民政府、河口镇", ""],
    ]
    second = [
        ["（三）开展全民安全素质提升行动", "推动形成群防共治良好氛围。", "", "", "", ""],
        ["", "5. 开展安全宣传", "建设安全体验场馆", "2024年至2025年", "县科技局、县教育局", ""],
        ["", "", "宣传进企业、进社区", "常态化", "县委宣传部牵头，县应急局配合", ""],
        ["", "", "年度宣传总结", "二〇二五年十二月底前", "县安委会办公室", ""],
        ["", "6. 开展安全生产考核", "季度考核", "2025年第三季度", "各镇人民政府", ""],
    ]

    def table(rows, merges):
        t = doc.add_table(rows=len(rows) + 1, cols=6)
        t.style = "Table Grid"
        for c, text in enumerate(header):
            t.cell(0, c).text = text
        for r, values in enumerate(rows, 1):
            for c, text in enumerate(values):
                if text:
                    t.cell(r, c).text = text
        for (r1, c1), (r2, c2) in merges:
            t.cell(r1, c1).merge(t.cell(r2, c2))

    # Lead-ins across the row; categories, tasks and 责任单位 down their rows (Word's vMerge).
    table(first, [((1, 1), (1, 5)), ((1, 0), (5, 0)), ((2, 1), (3, 1)), ((2, 4), (3, 4)),
                  ((6, 1), (6, 5)), ((6, 0), (10, 0)), ((7, 1), (8, 1)), ((9, 1), (10, 1))])
    doc.add_page_break()
    table(second, [((1, 1), (1, 5)), ((1, 0), (5, 0)), ((2, 1), (4, 1))])  # header repeated on the new page
    doc.save(path)
    return path


def wulanqi(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["乌兰旗安全生产治本攻坚三年行动任务分解表"])
    ws.merge_cells("A1:G1")
    ws.append(["序号", "工作事项", "推进举措", "完成期", "主办单位", "协办单位", "备注"])
    rows = [
        ["开展安全生产大检查", "制定大检查工作方案", "2024年9月15日前", "旗应急管理局", "旗公安局", None],
        ["开展安全生产大检查", "每月开展一次检查", "每月10日前", "旗应急局", "各苏木镇", None],
        ["落实企业主体责任", "企业主要负责人签订安全承诺书", "每年3月15日前", "旗工业和信息化局", None, None],
        ["落实企业主体责任", "开展复工复产安全检查", "2025年第二季度末前", "旗工信局", None, "含各园区"],
        ["强化执法检查", "执法检查全覆盖", "2024—2026年", "牵头单位：旗应急管理局；配合单位：旗市场监督管理局", None, None],
        ["强化执法检查", "每年开展专项执法行动", "2024年至2026年每年", "旗市场监管局", None, None],
        ["完善应急预案", "修订旗总体应急预案", "二〇二四年十二月三十日前", "旗应急局", "各有关部门", None],
        ["完善应急预案", "按季度开展预案演练", "2025年起每季度", "各苏木镇人民政府", None, None],
    ]
    for i, row in enumerate(rows, 1):
        ws.append([i, *row])
    ws.append(["注：本表由旗安委会办公室负责解释。"])
    ws.merge_cells(f"A{ws.max_row}:G{ws.max_row}")
    wb.save(path)
    return path


TABLES = [
    Foreign("新城区", "新城区重点任务清单.xlsx", "区", "", "新城区安全生产委员会办公室", "新安委办",
            "应急局", "区应急管理局", xinchengqu),
    Foreign("河口县", "河口县序时进度表.docx", "县", "", "河口县安全生产委员会办公室", "河安委办",
            "住建局", "县住房和城乡建设局", hekouxian),
    Foreign("乌兰旗", "乌兰旗任务分解表.xlsx", "旗", "序号=A,任务=B,要求=C,时间=D,牵头=E,配合=F,备注=G",
            "乌兰旗安全生产委员会办公室", "乌安委办", "工信局", "旗工业和信息化局", wulanqi),
]
