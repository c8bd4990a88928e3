namespace Warden.Core.Rules;

public static partial class RuleIds
{
    // WD31xx: hidden instructions in what the agent reads (`warden scan`).
    public const string InvisibleText = "WD3100";
    public const string TagCharacters = "WD3101";
    public const string BidiControl = "WD3102";
    public const string HiddenComment = "WD3103";
    public const string InstructionOverride = "WD3104";
    public const string Exfiltration = "WD3105";
    public const string EncodedInstructions = "WD3106";
    public const string ToolShadowing = "WD3107";
    public const string SafetyBypassInstruction = "WD3108";
    public const string BeyondSizeCap = "WD3109";
}
