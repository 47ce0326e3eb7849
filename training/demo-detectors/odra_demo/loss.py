"""Training targets and loss of the demo detector.

Assignment: task-aligned (TOOD, Feng et al. 2021; as in YOLOv8). For each ground-truth box,
candidates are the cells whose centre lies inside it (a box too small to contain any cell
centre takes its 3 nearest cells instead, so tiny far objects still train); each candidate
scores t = s^alpha * IoU^beta with s the predicted probability of the box's class; the
top-k candidates become positives (a cell claimed by two boxes goes to the one it overlaps
more). Class targets are t normalised per box to its best IoU (IoU-aware soft labels),
box targets the boxes themselves.

Loss: binary cross-entropy on all cells and classes against the soft labels, plus
(1 - GIoU) on positives weighted by their soft label, both divided by the sum of soft
labels; weights 0.5 (class) and 7.5 (box), YOLOv8's. Crowd regions are ignore regions:
cells whose centre lies in one, and that are not positives, add no class loss.

`class_weights` (optional, per class) scales the class loss of each class column: a
class-balanced loss; the demo family's imbalance variant uses repeat-factor sampling
instead (data.repeat_factors), so it stays None there.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .model import decode

TOPK = 10
ALPHA = 0.5
BETA = 6.0
CLS_WEIGHT = 0.5
BOX_WEIGHT = 7.5


def box_iou_pairs(a: torch.Tensor, b: torch.Tensor, eps: float = 1e-9) -> torch.Tensor:
    """IoU of broadcast pairs of xyxy boxes (..., 4)."""
    lt = torch.maximum(a[..., :2], b[..., :2])
    rb = torch.minimum(a[..., 2:], b[..., 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    area_a = (a[..., 2] - a[..., 0]).clamp(min=0) * (a[..., 3] - a[..., 1]).clamp(min=0)
    area_b = (b[..., 2] - b[..., 0]).clamp(min=0) * (b[..., 3] - b[..., 1]).clamp(min=0)
    return inter / (area_a + area_b - inter + eps)


def giou_pairs(a: torch.Tensor, b: torch.Tensor, eps: float = 1e-9) -> torch.Tensor:
    iou = box_iou_pairs(a, b, eps)
    lt = torch.minimum(a[..., :2], b[..., :2])
    rb = torch.maximum(a[..., 2:], b[..., 2:])
    wh = (rb - lt).clamp(min=0)
    hull = wh[..., 0] * wh[..., 1]
    lt_i = torch.maximum(a[..., :2], b[..., :2])
    rb_i = torch.minimum(a[..., 2:], b[..., 2:])
    wh_i = (rb_i - lt_i).clamp(min=0)
    inter = wh_i[..., 0] * wh_i[..., 1]
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    union = area_a + area_b - inter
    return iou - (hull - union) / (hull + eps)


@torch.no_grad()
def assign(scores: torch.Tensor, boxes: torch.Tensor, centres: torch.Tensor,
           gt_boxes: torch.Tensor, gt_cls: torch.Tensor, gt_valid: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """scores [B, N, C] (probabilities), boxes [B, N, 4], centres [N, 2], gt_* [B, M, ...].
    Returns target boxes [B, N, 4], target scores [B, N, C], foreground mask [B, N]."""
    b, n, c = scores.shape
    m = gt_boxes.shape[1]
    if m == 0:
        return torch.zeros_like(boxes), torch.zeros_like(scores), torch.zeros(b, n, dtype=torch.bool)
    ctr = centres[None, None]  # 1, 1, N, 2
    inside = torch.cat([ctr - gt_boxes[:, :, None, :2], gt_boxes[:, :, None, 2:] - ctr], -1).amin(-1) > 0.01  # B, M, N
    gt_ctr = (gt_boxes[..., :2] + gt_boxes[..., 2:]) / 2
    dist = ((ctr - gt_ctr[:, :, None]) ** 2).sum(-1)
    nearest = dist.topk(3, dim=-1, largest=False).indices
    fallback = torch.zeros_like(inside).scatter_(-1, nearest, True) & ~inside.any(-1, keepdim=True)
    cand = (inside | fallback) & gt_valid[..., None]
    ious = box_iou_pairs(gt_boxes[:, :, None, :], boxes[:, None, :, :])  # B, M, N
    cls_index = gt_cls.clamp(min=0)[:, :, None].expand(b, m, n)
    s = scores.transpose(1, 2).gather(1, cls_index)  # B, M, N
    align = s.pow(ALPHA) * ious.pow(BETA) * cand
    metric = align + 1e-9 * cand  # keeps candidates rankable when nothing overlaps yet
    top = metric.topk(min(TOPK, n), dim=-1).indices
    pos = torch.zeros_like(cand).scatter_(-1, top, True) & cand
    # a cell claimed by several boxes goes to the one it overlaps most
    multi = pos.sum(1, keepdim=True) > 1
    if multi.any():
        best = (ious * pos).argmax(1)  # B, N
        one = F.one_hot(best, m).permute(0, 2, 1).bool()
        pos = torch.where(multi, one & pos, pos)
    fg = pos.any(1)
    gt_of = pos.float().argmax(1)  # B, N
    align_pos = align * pos
    max_align = align_pos.amax(-1, keepdim=True)
    max_iou = (ious * pos).amax(-1, keepdim=True)
    norm = (align_pos / (max_align + 1e-9) * max_iou).amax(1)  # B, N
    t_cls = gt_cls.clamp(min=0).gather(1, gt_of)
    t_boxes = gt_boxes.gather(1, gt_of[..., None].expand(b, n, 4))
    t_scores = F.one_hot(t_cls, c).float() * (norm * fg)[..., None]
    return t_boxes, t_scores, fg


def pad_targets(boxes: list[torch.Tensor], classes: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    m = max([len(x) for x in boxes] + [0])
    b = len(boxes)
    gb = torch.zeros(b, m, 4)
    gc = torch.full((b, m), -1, dtype=torch.long)
    for i, (bx, cl) in enumerate(zip(boxes, classes)):
        gb[i, :len(bx)] = bx
        gc[i, :len(cl)] = cl
    return gb, gc, gc >= 0


def ignore_mask(crowd: list[torch.Tensor], centres: torch.Tensor) -> torch.Tensor:
    """[B, N]: the cell centre lies in a crowd region of its image."""
    out = torch.zeros(len(crowd), centres.shape[0], dtype=torch.bool)
    for i, cr in enumerate(crowd):
        if len(cr) == 0:
            continue
        x, y = centres[:, 0], centres[:, 1]
        inside = (x[None] > cr[:, None, 0]) & (x[None] < cr[:, None, 2]) & (y[None] > cr[:, None, 1]) & (y[None] < cr[:, None, 3])
        out[i] = inside.any(0)
    return out


def detection_loss(raw: list[torch.Tensor], centres: torch.Tensor, strides: torch.Tensor,
                   boxes: list[torch.Tensor], classes: list[torch.Tensor], crowd: list[torch.Tensor],
                   class_weights: torch.Tensor | None = None) -> tuple[torch.Tensor, dict[str, float]]:
    pred_boxes, logits = decode(raw, centres, strides)
    gt_boxes, gt_cls, gt_valid = pad_targets(boxes, classes)
    t_boxes, t_scores, fg = assign(logits.detach().sigmoid(), pred_boxes.detach(), centres, gt_boxes, gt_cls, gt_valid)
    weight = (~(ignore_mask(crowd, centres) & ~fg)).float()[..., None]
    bce = F.binary_cross_entropy_with_logits(logits, t_scores, reduction='none') * weight
    if class_weights is not None:
        bce = bce * class_weights
    norm = t_scores.sum().clamp(min=1.0)
    loss_cls = bce.sum() / norm
    if fg.any():
        w = t_scores.sum(-1)[fg]
        loss_box = ((1.0 - giou_pairs(pred_boxes[fg], t_boxes[fg])) * w).sum() / norm
    else:
        loss_box = pred_boxes.sum() * 0.0
    loss = CLS_WEIGHT * loss_cls + BOX_WEIGHT * loss_box
    return loss, {'cls': float(loss_cls), 'box': float(loss_box), 'fg': float(fg.sum())}
