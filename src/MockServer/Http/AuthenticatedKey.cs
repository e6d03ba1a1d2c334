using MockServer.Budgets;

namespace MockServer.Http;

/// <summary>
/// The request feature <see cref="ApiKeyMiddleware"/> sets once a <c>/v1</c> key is accepted (REVIEW.md, seam 5): the
/// layers after it (the budget gate) read the key's account from here instead of parsing the header again.
/// </summary>
internal sealed record AuthenticatedKey(KeyAccount Account);
