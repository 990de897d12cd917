# Wrong answer: grants the 400,000 free GB-seconds to each architecture separately, though AWS gives one allowance for both together, so a mixed x86/Arm account is under-billed.
# cell: lambda-bill
# loses: test-lambda-bill
def lambda_bill(log, free_tier=True):
    billed_ms = np.ceil(log["Duration"].astype(float))
    gb_seconds = billed_ms / 1000 * log["MemorySize"].astype(float) / 1024
    by_arch = gb_seconds.groupby(log["Architecture"]).sum()
    usd = max(len(log) - (FREE_REQUESTS if free_tier else 0), 0) * PRICE_REQUEST
    for arch in ("x86_64", "arm64"):
        used = float(by_arch.get(arch, 0.0))
        usd += max(used - (FREE_GB_SECONDS if free_tier else 0), 0) * PRICE_GB_SECOND[arch]
    return usd
