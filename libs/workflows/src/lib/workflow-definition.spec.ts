import {
  canonicalDefinition,
  parseWorkflowDefinition,
  sameDefinition,
  topologicalOrder,
  WorkflowDefinition,
} from './workflow-definition';
import { InvalidWorkflowDefinitionError } from './workflows.errors';

/** The error parseWorkflowDefinition throws for `raw` (fails the test if it does not). */
function problemOf(raw: unknown): InvalidWorkflowDefinitionError {
  try {
    parseWorkflowDefinition(raw);
  } catch (error) {
    if (error instanceof InvalidWorkflowDefinitionError) return error;
    throw error;
  }
  throw new Error('expected the definition to be refused');
}

const errorsOf = (raw: unknown) => problemOf(raw).errors ?? {};

const step = (key: string, dependsOn?: string[], extra: Record<string, unknown> = {}) => ({
  key,
  title: `Step ${key}`,
  ...(dependsOn ? { depends_on: dependsOn } : {}),
  ...extra,
});

describe('parseWorkflowDefinition', () => {
  it('returns the canonical form: fixed field order, trimmed, unset fields omitted', () => {
    const parsed = parseWorkflowDefinition({
      steps: [
        {
          max_attempts: 3,
          depends_on: [],
          title: '  Fetch  ',
          key: 'fetch',
          description: null,
          required_capabilities: [' http '],
        },
        {
          on_dependency_failure: 'continue',
          depends_on: ['fetch'],
          priority: 'high',
          key: 'use',
          title: 'Use',
        },
      ],
    });
    expect(parsed).toEqual({
      steps: [
        { key: 'fetch', title: 'Fetch', required_capabilities: ['http'], max_attempts: 3 },
        {
          key: 'use',
          title: 'Use',
          priority: 'high',
          depends_on: ['fetch'],
          on_dependency_failure: 'continue',
        },
      ],
    });
    expect(Object.keys(parsed.steps[1])).toEqual([
      'key',
      'title',
      'priority',
      'depends_on',
      'on_dependency_failure',
    ]);
  });

  it('refuses what is not an object with steps', () => {
    expect(errorsOf(null)).toEqual({ definition: ['definition must be an object with steps'] });
    expect(errorsOf([])).toEqual({ definition: ['definition must be an object with steps'] });
    expect(errorsOf({})).toEqual({ steps: ['steps is required'] });
    expect(errorsOf({ steps: {} })).toEqual({ steps: ['steps must be an array of steps'] });
    expect(errorsOf({ steps: [] })).toEqual({ steps: ['steps must list at least one step'] });
  });

  it('refuses unknown members of the definition and of a step, by path', () => {
    expect(errorsOf({ steps: [step('a', undefined, { retries: 2 })], name: 'x' })).toEqual({
      definition: ['unknown member "name"; a definition has only steps'],
      'steps[0].retries': [
        'unknown field "retries"; a step has only key, title, description, priority, required_capabilities, depends_on, on_dependency_failure, max_attempts',
      ],
    });
  });

  it('refuses more than 500 steps and accepts exactly 500', () => {
    const steps = (n: number) => Array.from({ length: n }, (_, i) => step(`s${i}`));
    expect(parseWorkflowDefinition({ steps: steps(500) }).steps).toHaveLength(500);
    expect(errorsOf({ steps: steps(501) })).toEqual({
      steps: ['steps must list at most 500 steps (got 501)'],
    });
  });

  it('takes another limit when the server sets one (WORKFLOW_MAX_STEPS)', () => {
    const steps = (n: number) => Array.from({ length: n }, (_, i) => step(`s${i}`));
    expect(parseWorkflowDefinition({ steps: steps(1000) }, 1000).steps).toHaveLength(1000);
    expect(() => parseWorkflowDefinition({ steps: steps(3) }, 2)).toThrow(
      'steps must list at most 2 steps (got 3)',
    );
  });

  it('names each bad field of each step', () => {
    const errors = errorsOf({
      steps: [
        'not a step',
        { key: 'Bad-Key', title: '   ' },
        {
          key: 'ok',
          title: 'x'.repeat(501),
          description: 5,
          priority: 'huge',
          required_capabilities: ['a', 'a'],
          on_dependency_failure: 'ignore',
          max_attempts: 0,
        },
        { key: 'ok2', title: 'T', max_attempts: 1.5, priority: null, depends_on: 'ok' },
      ],
    });
    expect(Object.keys(errors).sort()).toEqual(
      [
        'steps[0]',
        'steps[1].key',
        'steps[1].title',
        'steps[2].title',
        'steps[2].description',
        'steps[2].priority',
        'steps[2].required_capabilities',
        'steps[2].on_dependency_failure',
        'steps[2].max_attempts',
        'steps[3].max_attempts',
        'steps[3].priority',
        'steps[3].depends_on',
      ].sort(),
    );
    expect(errors['steps[0]']).toEqual(['steps[0] must be an object']);
    expect(errors['steps[1].key'][0]).toMatch(/^key must match \^\[a-z\]/);
    expect(errors['steps[1].title']).toEqual([
      'title must be 1 to 500 characters long (after trimming)',
    ]);
    expect(errors['steps[2].priority']).toEqual([
      'priority must be one of low, medium, high, urgent',
    ]);
    expect(errors['steps[2].on_dependency_failure']).toEqual([
      'on_dependency_failure must be one of cancel, continue',
    ]);
    expect(errors['steps[2].max_attempts']).toEqual(['max_attempts must be at least 1']);
    expect(errors['steps[3].depends_on']).toContain('depends_on must be an array of step keys');
  });

  it('refuses missing keys and titles', () => {
    expect(errorsOf({ steps: [{}] })).toEqual({
      'steps[0].key': expect.arrayContaining(['key must be a string']),
      'steps[0].title': expect.arrayContaining(['title must be a string']),
    });
  });

  it('refuses a key of 64 characters and accepts 63', () => {
    const long = `a${'b'.repeat(63)}`;
    expect(Object.keys(errorsOf({ steps: [step(long)] }))).toEqual(['steps[0].key']);
    expect(parseWorkflowDefinition({ steps: [step(long.slice(0, 63))] }).steps[0].key).toBe(
      long.slice(0, 63),
    );
  });

  it('reserves the key "context"', () => {
    expect(errorsOf({ steps: [step('a'), step('context')] })).toEqual({
      'steps[1].key': [
        `key "context" is reserved (a task's inputs.context holds the execution's context)`,
      ],
    });
  });

  it('refuses a key used twice, on the later step', () => {
    expect(errorsOf({ steps: [step('a'), step('b'), step('a')] })).toEqual({
      'steps[2].key': ['key "a" is already the key of steps[0]'],
    });
  });

  it('refuses dependencies on unknown steps, on the step itself, and twice', () => {
    expect(
      errorsOf({
        steps: [step('a', ['a']), step('b', ['a', 'nope', 'a']), step('c', ['ghost'])],
      }),
    ).toEqual({
      'steps[0].depends_on': ['depends_on must not name the step itself ("a")'],
      'steps[1].depends_on': ['depends_on must not name a step twice'],
      'steps[2].depends_on': ['depends_on names no step of this definition: "ghost"'],
    });
  });

  it('names a cycle on the step whose depends_on closes it, and in the detail', () => {
    const problem = problemOf({
      steps: [step('a', ['b']), step('b', ['c']), step('c', ['a']), step('d')],
    });
    expect(problem.code).toBe('WORKFLOW.INVALID_DEFINITION');
    expect(problem.status).toBe(400);
    expect(problem.errors).toEqual({
      'steps[2].depends_on': ['depends_on closes a cycle: c → a → b → c'],
    });
    expect(problem.message).toBe(
      'Invalid workflow definition: the steps form a cycle: c → a → b → c',
    );
    expect(problem.cycle).toEqual(['c', 'a', 'b', 'c']);
  });

  it('names a two-step cycle', () => {
    expect(errorsOf({ steps: [step('a', ['b']), step('b', ['a'])] })).toEqual({
      'steps[1].depends_on': ['depends_on closes a cycle: b → a → b'],
    });
  });

  it('reports a cycle together with problems of other fields', () => {
    const problem = problemOf({
      steps: [step('a', ['b'], { title: '' }), step('b', ['a'])],
    });
    expect(problem.errors).toEqual({
      'steps[0].title': ['title must be 1 to 500 characters long (after trimming)'],
      'steps[1].depends_on': ['depends_on closes a cycle: b → a → b'],
    });
    expect(problem.message).toBe(
      'Invalid workflow definition: the steps form a cycle: b → a → b; and 1 more problem (see errors)',
    );
  });

  it('looks for cycles only once the references are sound', () => {
    expect(errorsOf({ steps: [step('a', ['b']), step('b', ['a', 'x'])] })).toEqual({
      'steps[1].depends_on': ['depends_on names no step of this definition: "x"'],
    });
  });

  it('finds a cycle at the end of a long chain without deep recursion', () => {
    const steps = Array.from({ length: 500 }, (_, i) =>
      step(`s${i}`, i > 0 ? [`s${i - 1}`] : ['s499']),
    );
    const errors = errorsOf({ steps });
    expect(Object.keys(errors)).toHaveLength(1);
    expect(Object.values(errors)[0][0]).toMatch(/^depends_on closes a cycle: s\d+ → .* → s\d+$/);
  });

  it('accepts a diamond', () => {
    const parsed = parseWorkflowDefinition({
      steps: [step('a'), step('b', ['a']), step('c', ['a']), step('d', ['b', 'c'])],
    });
    expect(parsed.steps.map((s) => s.key)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('lists at most five problems in the detail, and all of them in errors', () => {
    const problem = problemOf({
      steps: Array.from({ length: 7 }, () => ({ key: 'X', title: 't' })),
    });
    expect(Object.keys(problem.errors ?? {})).toHaveLength(7);
    expect(problem.message).toMatch(/; and 2 more$/);
  });
});

describe('topologicalOrder', () => {
  const keys = (definition: WorkflowDefinition) => topologicalOrder(definition).map((s) => s.key);

  it('puts dependencies first, wave by wave, in definition order within a wave', () => {
    const definition = parseWorkflowDefinition({
      steps: [step('d', ['b', 'c']), step('c', ['a']), step('x'), step('b', ['a']), step('a')],
    });
    expect(keys(definition)).toEqual(['x', 'a', 'c', 'b', 'd']);
  });

  it('keeps definition order for independent steps', () => {
    expect(keys({ steps: [step('z'), step('y'), step('x')] })).toEqual(['z', 'y', 'x']);
  });

  it('orders a chain given backwards', () => {
    expect(keys({ steps: [step('c', ['b']), step('b', ['a']), step('a')] })).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('puts a step after its deepest dependency', () => {
    // e waits for a directly and for d through a chain: it comes after d.
    expect(
      keys({
        steps: [
          step('a'),
          step('b', ['a']),
          step('c', ['b']),
          step('d', ['c']),
          step('e', ['a', 'd']),
        ],
      }),
    ).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('refuses a cyclic definition that skipped parsing', () => {
    expect(() => topologicalOrder({ steps: [step('a', ['b']), step('b', ['a'])] })).toThrow(
      InvalidWorkflowDefinitionError,
    );
  });
});

describe('sameDefinition', () => {
  const parse = (steps: unknown[]) => parseWorkflowDefinition({ steps });

  it('treats unset fields alike however they were written', () => {
    expect(
      sameDefinition(
        parse([step('a', [], { description: null, required_capabilities: [] })]),
        parse([{ title: ' Step a ', key: 'a' }]),
      ),
    ).toBe(true);
  });

  it('ignores member order (as jsonb returns it)', () => {
    const a = parse([step('a'), step('b', ['a'], { max_attempts: 2 })]);
    const stored = JSON.parse(
      JSON.stringify({
        steps: [
          { title: 'Step a', key: 'a' },
          { max_attempts: 2, depends_on: ['a'], key: 'b', title: 'Step b' },
        ],
      }),
    ) as WorkflowDefinition;
    expect(sameDefinition(a, stored)).toBe(true);
    expect(Object.keys(canonicalDefinition(stored).steps[1])).toEqual([
      'key',
      'title',
      'depends_on',
      'max_attempts',
    ]);
  });

  it('sees any change of a field, of step order or of dependency order', () => {
    const base = parse([step('a'), step('b', ['a'])]);
    expect(sameDefinition(base, parse([step('a'), step('b', ['a'], { priority: 'low' })]))).toBe(
      false,
    );
    expect(sameDefinition(base, parse([step('b'), step('a')]))).toBe(false);
    expect(sameDefinition(base, parse([step('a'), step('b')]))).toBe(false);
    expect(sameDefinition(base, parse([step('a')]))).toBe(false);
    const two = parse([step('a'), step('b'), step('c', ['a', 'b'])]);
    expect(sameDefinition(two, parse([step('a'), step('b'), step('c', ['b', 'a'])]))).toBe(false);
  });
});
