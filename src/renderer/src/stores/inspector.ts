/**
 * The image inspector's data: the finished evaluations of the open dataset, the one or
 * two chosen for comparison, the thresholds, and the chosen evaluations' COCO matches
 * of one image (evaluations.imageMatches). An answer that arrives after a newer request
 * is dropped, so fast stepping through images never shows another image's boxes.
 * `matchedAt` names the image and thresholds the shown matches were computed for
 * (matchKey), so the view can mark them stale while the next ones load.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { EvaluationDto, ImageMatchesDto } from '../../../shared/schemas';
import { api } from '../api';
import { toUiError, type UiError } from '../api/ui-error';

export const useInspectorStore = defineStore('inspector', () => {
  const evaluations = shallowRef<EvaluationDto[]>([]);
  const evaluationsError = ref<UiError | null>(null);
  const evalA = ref<number | null>(null);
  const evalB = ref<number | null>(null);
  const iou = ref(0.5);
  const score = ref(0.3);
  const matches = shallowRef<Record<number, ImageMatchesDto>>({});
  const matchedAt = ref('');
  const matchError = ref<UiError | null>(null);
  let request = 0;

  async function loadEvaluations(datasetId: number): Promise<void> {
    try {
      const list = await api().client.call('evaluations.list', { datasetId });
      evaluations.value = list.filter((e) => e.status === 'done').sort((a, b) => b.id - a.id);
      evaluationsError.value = null;
      if (evalA.value === null || !evaluations.value.some((e) => e.id === evalA.value)) evalA.value = evaluations.value[0]?.id ?? null;
    } catch (err) {
      evaluationsError.value = toUiError(err);
    }
  }

  const chosen = computed(() =>
    [evalA.value, evalB.value]
      .filter((id, i, all): id is number => id !== null && all.indexOf(id) === i)
      .map((id) => evaluations.value.find((e) => e.id === id))
      .filter((e): e is EvaluationDto => e !== undefined),
  );

  /** "image/iou/score": what a set of matches was computed for */
  function matchKey(imageId: number | undefined): string {
    return `${imageId ?? ''}/${iou.value.toFixed(2)}/${score.value.toFixed(2)}`;
  }

  async function loadMatches(imageId: number | undefined): Promise<void> {
    const evals = chosen.value;
    const mine = ++request;
    const at = matchKey(imageId);
    if (imageId === undefined || evals.length === 0) {
      matches.value = {};
      matchedAt.value = at;
      return;
    }
    try {
      const results = await Promise.all(
        evals.map((e) => api().client.call('evaluations.imageMatches', { id: e.id, imageId, iouThreshold: iou.value, scoreThreshold: score.value })),
      );
      if (mine !== request) return;
      const next: Record<number, ImageMatchesDto> = {};
      evals.forEach((e, i) => {
        next[e.id] = results[i];
      });
      matches.value = next;
      matchedAt.value = at;
      matchError.value = null;
    } catch (err) {
      if (mine === request) matchError.value = toUiError(err);
    }
  }

  return { evaluations, evaluationsError, evalA, evalB, iou, score, matches, matchedAt, matchError, chosen, matchKey, loadEvaluations, loadMatches };
});
