import { stopTestCluster } from './branch-server-cluster';

/** Jest global tear-down: stops the branch cluster the set-up started (none when it was given). */
export default async function teardown(): Promise<void> {
  const dir = process.env.TEST_BRANCH_CLUSTER_DIR;
  const bin = process.env.TEST_BRANCH_CLUSTER_BIN;
  if (!dir || !bin) return;
  stopTestCluster({ dir, bin });
  delete process.env.TEST_BRANCH_DATABASE_URL;
  delete process.env.TEST_BRANCH_CLUSTER_DIR;
  delete process.env.TEST_BRANCH_CLUSTER_BIN;
}
