import { startBranchCluster } from './branch-server-cluster';

/**
 * Jest global set-up: the branch server of the tests, a PostgreSQL cluster of its own apart from the
 * shared one on 5432 (which plays production), unless TEST_BRANCH_DATABASE_URL already names one.
 * Its admin URL goes to the test workers in TEST_BRANCH_DATABASE_URL.
 */
export default async function setup(): Promise<void> {
  if (process.env.TEST_BRANCH_DATABASE_URL) return;
  const cluster = await startBranchCluster();
  process.env.TEST_BRANCH_DATABASE_URL = cluster.url;
  process.env.TEST_BRANCH_SUPERUSER_URL = cluster.superuserUrl;
  process.env.TEST_BRANCH_CLUSTER_DIR = cluster.dir;
  process.env.TEST_BRANCH_CLUSTER_BIN = cluster.bin;
}
