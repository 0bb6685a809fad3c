"""The department-year model: every block of a self-evaluation form, as printed (frozen dataclasses).

A family (``kit/families/``) uses some of these blocks; the others stay empty.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.values import BLANK, Num

if TYPE_CHECKING:  # pandas loads when a frame is asked for (JupyterLab), never for kit --help
    import pandas as pd


# --- Blocks ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Profile:
    duties: str = ""
    organisation: str = ""
    staffing: str = ""
    counts: dict[str, Num] = field(default_factory=dict)  # key of COUNT_FIELDS -> Num


@dataclass(frozen=True)
class BudgetRow:
    total: Num = BLANK
    basic: Num = BLANK
    project: Num = BLANK


@dataclass(frozen=True)
class Budget:
    initial: BudgetRow = field(default_factory=BudgetRow)
    adjusted: BudgetRow = field(default_factory=BudgetRow)
    actual: BudgetRow = field(default_factory=BudgetRow)
    adjustment_reason: str = ""


@dataclass(frozen=True)
class BudgetLine:
    no: str
    name: str
    budget: Num
    adjusted: Num
    actual: Num


@dataclass(frozen=True)
class Split:
    """An amount split as 总数 / 其中财政拨款 / 其他资金."""

    total: Num
    fiscal: Num
    other: Num


@dataclass(frozen=True)
class Task:
    name: str
    content: str
    status: str
    budget: Split
    actual: Split


@dataclass(frozen=True)
class Goals:
    expected: str = ""
    actual: str = ""


@dataclass(frozen=True)
class Indicator:
    """A 绩效指标 row. Shenzhen prints target and actual only; other families add the rest."""

    level1: str
    level2: str
    level3: str
    target: str
    actual: str
    nature: str = ""  # 指标性质: =, ≥, ≤, 定量/定性, 正向/反向
    unit: str = ""  # 计量单位 / 度量单位
    weight: Num = BLANK  # 分值 / 权重
    score: Num = BLANK  # 得分
    coefficient: Num = BLANK  # 得分系数 (%)
    core: str = ""  # 是否核心指标
    deviation: str = ""  # 偏差原因分析及改进措施 / 未完成原因分析


@dataclass(frozen=True)
class Header:
    """What the form's head prints besides name, code and year."""

    title: str = ""  # the form's own title
    project: str = ""  # 项目名称 (project forms)
    authority: str = ""  # 主管部门
    implementer: str = ""  # 实施单位
    unit: str = ""  # unit of the amounts in funds (元 / 万元)
    date: str = ""  # 填报日期 / 报告日期 as printed


@dataclass(frozen=True)
class FundRow:
    """One 资金来源 row of 年度预算执行情况: 年初预算数, 全年预算数 (调整后), 全年执行数."""

    source: str
    initial: Num = BLANK
    adjusted: Num = BLANK
    actual: Num = BLANK
    weight: Num = BLANK  # 分值 as printed on the row (Guizhou prints it on every row; usually "-")
    rate: Num = BLANK  # 执行率 as printed
    score: Num = BLANK  # 得分 as printed on the row


@dataclass(frozen=True)
class Funds:
    """年度预算执行情况 / 项目资金: the rows, and the 分值 and 得分 of the execution rate."""

    rows: tuple[FundRow, ...] = ()
    weight: Num = BLANK  # 分值 / 权重 printed for the execution rate
    score: Num = BLANK  # 得分 printed
    rate: Num = BLANK  # 执行率 printed for the total
    reason: str = ""  # 原因 / 调整说明 printed beside the amounts (a template's prompt text kept as printed)

    @property
    def total(self) -> FundRow | None:
        """The total row (年度资金总额 / 总额): the first row."""
        return self.rows[0] if self.rows else None


@dataclass(frozen=True)
class ScoreGroup:
    """A printed group of the score table: 投入(16分) / 预算配置(16分) with its score."""

    level: int
    name: str
    parent: str = ""
    weight: Num = BLANK
    self_score: Num = BLANK


@dataclass(frozen=True)
class SelfEval:
    """What the form says about itself: printed total and grade, conclusion texts."""

    total: Num = BLANK  # 自评总分 / 总分 得分
    total_weight: Num = BLANK  # 总分 分值
    grade: str = ""  # 自评等级
    conclusion: str = ""  # 评价结论
    problems: str = ""  # 存在问题
    measures: str = ""  # 改进措施


@dataclass(frozen=True)
class ScoreRow:
    level1: str
    level2: str
    level3: str
    weight: Num
    description: str
    criteria: str
    self_score: Num


@dataclass(frozen=True)
class Section:
    key: str
    part: str
    title: str
    text: str


@dataclass(frozen=True)
class Narrative:
    budget_total: Num = BLANK
    sections: tuple[Section, ...] = ()

    def text(self, key: str) -> str:
        """The text of one section by key ('' when the section is absent)."""
        return "\n".join(s.text for s in self.sections if s.key == key)


@dataclass(frozen=True)
class DetectionTry:
    """One family kit import compared the printed form with."""

    family: str
    fits: bool
    why: str = ""


@dataclass(frozen=True)
class Detection:
    """How the family was chosen (``detection:`` of a data file, written by kit import)."""

    chosen: str = ""
    reason: str = ""
    nearest: str = ""  # the closest family, when the chosen one is generic
    tried: tuple[DetectionTry, ...] = ()


@dataclass(frozen=True)
class LoadFinding:
    """A quirk met while loading: the audit report shows these (catalogue E)."""

    code: str  # quirk code from values.NOTE_TEXT, or 'stray'
    severity: str  # 'warning' or 'info'
    block: str  # Chinese block name
    row: int | None
    field: str  # Chinese field name
    raw: str
    message: str


@dataclass(frozen=True)
class Source:
    path: str = ""
    format: str = ""  # 'yaml' or 'xlsx'
    sha256: str = ""


@dataclass(frozen=True)
class Department:
    name: str
    code: str
    year: int
    profile: Profile
    budget: Budget
    basic_lines: tuple[BudgetLine, ...]
    project_lines: tuple[BudgetLine, ...]
    transfer_lines: tuple[BudgetLine, ...]
    tasks: tuple[Task, ...]
    goals: Goals
    indicators: tuple[Indicator, ...]
    scores: tuple[ScoreRow, ...]
    narrative: Narrative
    supplementary: dict[str, Any] = field(default_factory=dict)  # key -> Num | bool | str
    stray: tuple[str, ...] = ()
    source: Source = field(default_factory=Source)
    load_findings: tuple[LoadFinding, ...] = ()

    family: str = ""  # template family id (kit/families/); '' = the default family
    header: Header = field(default_factory=Header)
    funds: Funds = field(default_factory=Funds)
    score_groups: tuple[ScoreGroup, ...] = ()
    self_eval: SelfEval = field(default_factory=SelfEval)
    incomplete: tuple[str, ...] = ()  # block keys marked cut short on the page
    detection: Detection = field(default_factory=Detection)  # how kit import chose the family

    def present_blocks(self) -> set[str]:
        """Keys of the blocks that hold something (to check a file against its family)."""
        return present_blocks(self)

    # -- exploration helpers (JupyterLab) --
    def frames(self) -> dict[str, pd.DataFrame]:
        """Every block that holds something, as a DataFrame with the form's column names."""
        from . import frames

        return frames.all_frames(self)

    def budget_frame(self) -> pd.DataFrame:
        from . import frames

        return frames.budget_frame(self)

    def tasks_frame(self) -> pd.DataFrame:
        from . import frames

        return frames.tasks_frame(self)

    def indicators_frame(self) -> pd.DataFrame:
        from . import frames

        return frames.indicators_frame(self)

    def scores_frame(self) -> pd.DataFrame:
        from . import frames

        return frames.scores_frame(self)

    def narrative_frame(self) -> pd.DataFrame:
        from . import frames

        return frames.narrative_frame(self)

    def load_findings_frame(self) -> pd.DataFrame:
        from . import frames

        return frames.load_findings_frame(self)

    def _repr_html_(self) -> str:
        from . import frames

        return frames.department_html(self)


BLOCK_KEYS = ("profile", "budget", "basic_lines", "project_lines", "transfer_lines", "tasks", "goals", "indicators",
              "scores", "narrative", "header", "funds", "score_groups", "self_eval", "supplementary", "stray")


def _has(obj: Any) -> bool:
    if isinstance(obj, Num):
        return not obj.blank
    if isinstance(obj, str):
        return bool(obj.strip())
    if isinstance(obj, (tuple, list)):
        return any(_has(x) for x in obj)
    if isinstance(obj, dict):
        return any(_has(v) for v in obj.values())
    if hasattr(obj, "__dataclass_fields__"):
        return any(_has(getattr(obj, f)) for f in obj.__dataclass_fields__)
    return obj is not None


def present_blocks(dept: Department) -> set[str]:
    """Keys of the blocks that hold something printed."""
    return {k for k in BLOCK_KEYS if _has(getattr(dept, k))}
