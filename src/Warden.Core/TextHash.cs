using System.Security.Cryptography;
using System.Text;

namespace Warden.Core;

/// <summary>The one way Warden hashes text: sha256 of its UTF-8 bytes, lower-case hex.</summary>
public static class TextHash
{
    public static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
