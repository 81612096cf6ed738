export const DISSEMINATION_QUEUE = 'dissemination';

/** Every job of every queue, by name, with its payload: the one typed map (STYLE rule 5). */
export interface JobMap {
  deliver: { disseminationId: string };
}
export type JobName = keyof JobMap;
