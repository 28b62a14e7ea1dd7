/** One task of the demo's plan; `dependsOn` names earlier tasks by their index in the plan. */
export interface PlannedTask {
  title: string;
  priority: number;
  labels: string[];
  resources: string[];
  dependsOn: number[];
}

/**
 * A tiny web app with login: two roots, chains (schema → tables → endpoints → pages) and
 * fan-ins (login waits on both tables and the hashing module; the README waits on everything).
 */
const WEB_APP: readonly PlannedTask[] = [
  { title: 'Design schema', priority: 1, labels: ['db', 'design'], resources: ['adds:file:docs/schema.md'], dependsOn: [] },
  { title: 'Set up project skeleton', priority: 1, labels: ['infra'], resources: ['adds:file:package.json'], dependsOn: [] },
  { title: 'Add users table', priority: 1, labels: ['db'], resources: ['adds:table:users'], dependsOn: [0] },
  { title: 'Add sessions table', priority: 2, labels: ['db'], resources: ['adds:table:sessions'], dependsOn: [0] },
  { title: 'Password hashing module', priority: 1, labels: ['auth'], resources: ['adds:module:auth/password'], dependsOn: [1] },
  {
    title: 'Login endpoint',
    priority: 0,
    labels: ['auth', 'api'],
    resources: ['modifies:endpoint:POST /api/login', 'reads:table:users', 'reads:table:sessions'],
    dependsOn: [2, 3, 4],
  },
  { title: 'Signup endpoint', priority: 1, labels: ['auth', 'api'], resources: ['adds:endpoint:POST /api/signup', 'modifies:table:users'], dependsOn: [2, 4] },
  { title: 'Logout endpoint', priority: 3, labels: ['auth', 'api'], resources: ['adds:endpoint:POST /api/logout'], dependsOn: [3] },
  { title: 'Login page', priority: 2, labels: ['web'], resources: ['adds:file:web/login.html'], dependsOn: [5] },
  { title: 'Signup page', priority: 2, labels: ['web'], resources: ['adds:file:web/signup.html'], dependsOn: [6] },
  { title: 'Integration tests for auth', priority: 1, labels: ['test'], resources: ['adds:file:test/auth.test.ts'], dependsOn: [5, 6, 7] },
  { title: 'Write README quick start', priority: 3, labels: ['docs'], resources: ['modifies:file:README.md'], dependsOn: [8, 9, 10] },
];

export const DEFAULT_TASK_COUNT = WEB_APP.length;

/**
 * The first `count` tasks of the web app, then generated chores (each waiting on an earlier
 * task) when more are asked for. Dependencies always point backwards, so the plan is acyclic.
 */
export function demoPlan(count: number): PlannedTask[] {
  const plan = WEB_APP.slice(0, count).map((task) => ({ ...task, dependsOn: task.dependsOn.filter((index) => index < count) }));
  for (let index = plan.length; index < count; index++) {
    plan.push({
      title: `Tidy module ${index + 1}`,
      priority: index % 5,
      labels: ['chore'],
      resources: [`touches:module:mod-${index + 1}`],
      dependsOn: index % 3 === 0 ? [] : [index - 1 - (index % 4)],
    });
  }
  return plan;
}

/** The `baton add` arguments for one planned task, given the ids its dependencies got. */
export function addArguments(task: PlannedTask, dependencyIds: readonly number[]): string[] {
  const args = ['add', task.title, '--priority', String(task.priority)];
  if (task.labels.length > 0) args.push('--label', task.labels.join(','));
  for (const resource of task.resources) args.push('--resource', resource);
  if (dependencyIds.length > 0) args.push('--depends-on', dependencyIds.join(','));
  return args;
}
