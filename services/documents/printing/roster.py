"""花名册 (roster) Excel of a unit's or a level's declarations (manual 2.4.1, 2.4.2: 打印花名册 /
导出花名册).

The workbook is written here as SpreadsheetML straight into the xlsx's zip stream: rows come
from an iterator and are formatted a few hundred at a time as text, so 50,000 declarations
neither sit in memory nor pay openpyxl's per-cell element building (about 1 ms of CPU per
row; this writer needs a few hundredths of that; see ``bench/print_bench.py``). ID and
phone numbers are always masked; times read as Beijing time to the minute
(``services.common.time.beijing_text``: 2026-12-07 07:17), as the manual's tables show.
The header row is bold on grey, frozen; columns have widths and an auto filter covers the
header and every row. Texts are inline strings."""
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from services.common.errors import TooLarge
from services.common.logs import mask_id_number, mask_phone
from services.common.time import beijing_text
from services.contracts.printing import load_snapshot

MAX_ROWS = 1_048_575           # an Excel sheet's rows, less the header
_BATCH = 100                   # rows formatted and compressed at a time


@dataclass(frozen=True)
class Column:
    key: str                   # the key in each row dict
    header: str                # the Chinese header
    width: float = 14          # Excel column width (characters)
    mask: str | None = None    # "id_number" | "phone": masked in the sheet
    kind: str | None = None    # "time": an ISO moment printed as Beijing time


DEFAULT_COLUMNS = (
    Column("no", "序号", 7),
    Column("name", "姓名", 10),
    Column("gender", "性别", 6),
    Column("birth_date", "出生日期", 12),
    Column("id_number", "证件号码", 21, mask="id_number"),
    Column("unit_name", "工作单位", 28),
    Column("current_title", "现有职称", 14),
    Column("applied_title", "申报职称", 14),
    Column("specialty", "申报职称专业方向", 16),
    Column("form_category", "填报表格类别", 12),
    Column("declaration_type", "申报类别", 10),
    Column("level", "申报级别", 9),
    Column("education", "最高学历", 12),
    Column("work_start_date", "参加工作时间", 13),
    Column("years_in_title", "任现职年限", 10),
    Column("phone", "联系电话", 14, mask="phone"),
    Column("status", "状态", 10),
    Column("submitted_at", "提交时间", 17, kind="time"),
)

_MASKS = {"id_number": mask_id_number, "phone": mask_phone}
_KINDS = {"time": lambda value: beijing_text(value) or None}   # no time: an empty cell


def roster_row(snapshot):
    """One roster row (the keys of DEFAULT_COLUMNS) from a declaration snapshot."""
    snap = load_snapshot(snapshot)
    person, decl, plan = snap["person"], snap["declaration"], snap["plan"]
    return {
        "name": person["name"], "gender": person["gender"], "birth_date": person["birth_date"],
        "id_number": person["id_number"], "unit_name": person["unit_name"],
        "current_title": person["current_title"], "applied_title": decl["applied_title"],
        "specialty": decl["specialty"], "form_category": decl["form_category"],
        "declaration_type": decl["declaration_type"], "level": plan["level"],
        "education": (person["education"] or {}).get("name", ""),
        "work_start_date": person["work_start_date"], "years_in_title": person["years_in_title"],
        "phone": person["phone"], "status": snap["status"], "submitted_at": decl["submitted_at"],
    }


def write_roster(rows_iter, file_obj, columns=DEFAULT_COLUMNS, sheet_title="花名册"):
    """Write the roster workbook (xlsx) of ``rows_iter`` (dicts keyed by the columns' keys)
    to ``file_obj`` (a path or a binary file object). A column keyed ``no`` that a row does
    not fill is numbered 1, 2, …. Returns the number of rows written.

    ``columns``: Column objects or ``(key, header[, width[, mask]])`` tuples."""
    columns = [c if isinstance(c, Column) else Column(*c) for c in columns]
    letters = [get_column_letter(i) for i in range(1, len(columns) + 1)]
    getters = [(c.key, _MASKS.get(c.mask) or _KINDS.get(c.kind), letter)
               for c, letter in zip(columns, letters, strict=True)]
    count = 0
    with zipfile.ZipFile(file_obj, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_sheet_head(columns, letters).encode())
            batch = []
            for row in rows_iter:
                count += 1
                if count > MAX_ROWS:
                    raise TooLarge("roster.too_many_rows",
                                   "花名册行数超过 Excel 单表上限，请按条件分批导出",
                                   {"max_rows": MAX_ROWS})
                number = count + 1
                cells = []
                for key, mask, letter in getters:
                    value = row.get(key)
                    if value is None and key == "no":
                        value = count
                    if mask is not None:
                        value = mask(value)
                    if value is not None:
                        cells.append(_cell(f"{letter}{number}", value))
                batch.append(f'<row r="{number}">{"".join(cells)}</row>')
                if len(batch) >= _BATCH:
                    sheet.write("".join(batch).encode())
                    batch.clear()
            last = f"{letters[-1]}{count + 1}"
            sheet.write(("".join(batch) + f'</sheetData><autoFilter ref="A1:{last}"/>'
                         + _SHEET_TAIL).encode())
        title = _sheet_title(sheet_title)
        reference = "'" + title.replace("'", "''") + "'!$A$1:$" + letters[-1] + f"${count + 1}"
        for name, content in (
                ("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _ROOT_RELS),
                ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS), ("xl/styles.xml", _STYLES),
                ("xl/workbook.xml", _WORKBOOK.format(title=quoteattr(title),
                                                     reference=escape(reference)))):
            package.writestr(name, content)
    return count


def _cell(reference, value):
    if isinstance(value, bool):
        value = "是" if value else "否"
    elif isinstance(value, (int, float)):
        return f'<c r="{reference}"><v>{value!r}</v></c>'
    elif not isinstance(value, str):
        value = str(value)
    if _needs_cleaning(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    # an inline string is text whatever it looks like: "=…" never becomes a formula
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f'<c r="{reference}" t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>'


def _needs_cleaning(value):
    return not value.isprintable() and ILLEGAL_CHARACTERS_RE.search(value) is not None


def _sheet_title(title):
    """An Excel sheet name: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in str(title or "花名册"))
    return ILLEGAL_CHARACTERS_RE.sub("", cleaned)[:31] or "花名册"


_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def _sheet_head(columns, letters):
    widths = "".join(f'<col min="{i}" max="{i}" width="{c.width!r}" customWidth="1"/>'
                     for i, c in enumerate(columns, 1))
    header = "".join(
        f'<c r="{letter}1" s="1" t="inlineStr"><is><t>{escape(c.header)}</t></is></c>'
        for c, letter in zip(columns, letters, strict=True))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet {_NS} {_NS_R}>'
            '<sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
            '</sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>'
            f'<cols>{widths}</cols><sheetData><row r="1">{header}</row>')


_SHEET_TAIL = ('<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" '
               'footer="0.5"/></worksheet>')

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '</Types>')

_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/>'
    '</Relationships>')

_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/styles" Target="styles.xml"/>'
    '</Relationships>')

_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<workbook {_NS} {_NS_R}>'
    '<bookViews><workbookView/></bookViews>'
    '<sheets><sheet name={title} sheetId="1" r:id="rId1"/></sheets>'
    '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
    '{reference}</definedName></definedNames>'
    '</workbook>')

# Style 0: the default; style 1: the header (宋体 bold, grey fill, thin grey borders,
# centred).
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet {_NS}>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="宋体"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="00DDDDDD"/>'
    '<bgColor indexed="64"/></patternFill></fill></fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color rgb="00999999"/></left>'
    '<right style="thin"><color rgb="00999999"/></right>'
    '<top style="thin"><color rgb="00999999"/></top>'
    '<bottom style="thin"><color rgb="00999999"/></bottom><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" '
    'applyFill="1" applyBorder="1" applyAlignment="1">'
    '<alignment horizontal="center" vertical="center"/></xf></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>')
