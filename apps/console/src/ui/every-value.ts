/**
 * A list of every value of the union `T` (a status the API answers, say), in the order given:
 * TypeScript refuses a list that leaves one out or names one the API does not have.
 *
 *   export const TASK_STATUSES = everyValue<TaskStatus>()(['pending', …]);
 */
export const everyValue =
  <T extends string>() =>
  <const L extends readonly T[]>(
    list: L &
      ([Exclude<T, L[number]>] extends [never] ? unknown : { missing: Exclude<T, L[number]> }),
  ): readonly T[] =>
    list;
