namespace Sieve.Core.Gateways.Portal;

/// <summary>The two record kinds a portal gateway sends.</summary>
internal enum PortalRecordKind
{
    /// <summary><c>POST /portal/v1/logins</c>: a phone-number (SMS) login of a client device.</summary>
    Login,

    /// <summary><c>POST /portal/v1/sessions</c>: a finished session with its browsing records.</summary>
    Session,
}
