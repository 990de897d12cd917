# Wrong answer: prices every GB-second at the x86 rate, so the 20 % cheaper Arm (Graviton) functions are billed as if they were x86.
# cell: lambda-bill
# loses: test-lambda-bill
def lambda_bill(log, free_tier=True):
    billed_ms = np.ceil(log["Duration"].astype(float))
    gb_seconds = (billed_ms / 1000 * log["MemorySize"].astype(float) / 1024).sum()
    requests = max(len(log) - (FREE_REQUESTS if free_tier else 0), 0)
    gb = max(gb_seconds - (FREE_GB_SECONDS if free_tier else 0), 0)
    return requests * PRICE_REQUEST + gb * PRICE_GB_SECOND["x86_64"]
