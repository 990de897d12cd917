# Wrong answer: rounds every duration up to 100 ms, the billing granularity Lambda dropped in December 2020, so short functions are overcharged several times over.
# cell: lambda-bill
# loses: test-lambda-bill
def lambda_bill(log, free_tier=True):
    billed_ms = np.ceil(log["Duration"].astype(float) / 100) * 100
    gb_seconds = billed_ms / 1000 * log["MemorySize"].astype(float) / 1024
    by_arch = gb_seconds.groupby(log["Architecture"]).sum()
    free_gb = FREE_GB_SECONDS if free_tier else 0.0
    usd = max(len(log) - (FREE_REQUESTS if free_tier else 0), 0) * PRICE_REQUEST
    for arch in ("x86_64", "arm64"):
        used = float(by_arch.get(arch, 0.0))
        taken = min(used, free_gb)
        free_gb -= taken
        usd += (used - taken) * PRICE_GB_SECOND[arch]
    return usd
