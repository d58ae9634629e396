package dev.edgeplane.controlplane.flow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.core.io.SerializedString;

import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Problems;

/**
 * Validates a stored flow definition (docs/SPEC-control-plane.md, "POST /flow — the command loop")
 * and compiles it into a {@link CompiledFlow}.
 *
 * <p>Every problem is reported, not just the first, each with a path relative to the
 * definition: {@code start}, {@code nodes.menu.command.numDigits},
 * {@code nodes.menu.next.digit:1}, {@code nodes.dial.command.targets[2]}; a definition that is
 * not an object is reported at the empty path. The rules:
 * <ul>
 * <li>Only {@code start} and {@code nodes} at the top, only {@code command} and {@code next}
 *     in a node, only the spec's fields in a command (see {@link CommandType}).</li>
 * <li>{@code start} names a node; {@code nodes} is an object of 1 to {@value #MAX_NODES} nodes
 *     named with 1 to {@value #MAX_NAME_LENGTH} characters.</li>
 * <li>{@code next} maps at most {@value #MAX_PATTERNS} outcome patterns to node names: an exact
 *     outcome ({@code digit:1}, {@code timeout}), a prefix wildcard ending in {@code :*}
 *     ({@code digit:*}), or {@code *}. A pattern is at most {@value #MAX_NAME_LENGTH} characters
 *     and has no other {@code *}.</li>
 * <li>Integer fields accept JSON integers (and, as everywhere in {@link Fields}, strings of
 *     digits, which are rendered as numbers); required strings must not be empty.</li>
 * </ul>
 *
 * <p>Stateless and thread-safe. Compiling allocates freely: it runs when a flow version is
 * loaded, not per call.
 */
public final class FlowCompiler
{
    /** Most nodes in a flow. */
    public static final int MAX_NODES = 256;

    /** Longest node name and outcome pattern, in characters. */
    public static final int MAX_NAME_LENGTH = 64;

    /** Most outcome patterns in one node's {@code next}. */
    public static final int MAX_PATTERNS = 256;

    private static final SerializedString TYPE = new SerializedString("type");

    private FlowCompiler()
    {
    }

    /**
     * @param flowId     the flow's id, carried by the compiled flow and its sessions.
     * @param definition the definition as decoded by {@code dev.edgeplane.codec.Json.parse}.
     * @return the compiled flow, or every problem found.
     */
    public static CompileResult compile(final String flowId, final Object definition)
    {
        Objects.requireNonNull(flowId, "flowId");
        final Problems problems = new Problems();
        if (!(definition instanceof Map))
        {
            problems.add("", "must be an object");
            return new CompileResult(null, problems);
        }
        @SuppressWarnings("unchecked")
        final Map<String, Object> root = (Map<String, Object>)definition;
        for (final String key : root.keySet())
        {
            if (!"start".equals(key) && !"nodes".equals(key))
            {
                problems.add(key, "is not a field of a flow");
            }
        }
        final Fields top = Fields.of(root);
        final String start = top.requireString("start", problems);
        final Map<String, Object> nodes = top.optObject("nodes", problems);
        if (nodes == null)
        {
            if (root.get("nodes") == null)
            {
                problems.add("nodes", "is required");
            }
            return new CompileResult(null, problems);
        }
        if (nodes.isEmpty())
        {
            problems.add("nodes", "must not be empty");
        }
        else if (nodes.size() > MAX_NODES)
        {
            problems.add("nodes", "must have at most " + MAX_NODES + " nodes");
        }

        // Pass 1: index every name, so references can be checked whatever their order.
        final String[] names = nodes.keySet().toArray(new String[0]);
        final Map<String, Integer> index = new HashMap<>(names.length * 2);
        for (int i = 0; i < names.length; i++)
        {
            index.put(names[i], i);
            if (names[i].isEmpty() || names[i].length() > MAX_NAME_LENGTH)
            {
                problems.add(nodePath(names[i]), "name must be 1 to " + MAX_NAME_LENGTH + " characters");
            }
        }
        if (start != null && !nodes.isEmpty() && !index.containsKey(start))
        {
            problems.add("start", "must name a node");
        }

        // Pass 2: each node's command and next.
        final CompiledCommand[] commands = new CompiledCommand[names.length];
        final OutcomeTable[] outcomes = new OutcomeTable[names.length];
        for (int i = 0; i < names.length; i++)
        {
            final String path = nodePath(names[i]);
            final Object node = nodes.get(names[i]);
            if (!(node instanceof Map))
            {
                problems.add(path, node == null ? "is required" : "must be an object");
                continue;
            }
            @SuppressWarnings("unchecked")
            final Map<String, Object> members = (Map<String, Object>)node;
            for (final String key : members.keySet())
            {
                if (!"command".equals(key) && !"next".equals(key))
                {
                    problems.add(path + "." + key, "is not a field of a node");
                }
            }
            final Fields fields = Fields.of(members, path);
            final Map<String, Object> command = fields.optObject("command", problems);
            if (command != null)
            {
                commands[i] = compileCommand(command, path + ".command", problems);
            }
            else if (members.get("command") == null)
            {
                problems.add(path + ".command", "is required");
            }
            final Map<String, Object> next = fields.optObject("next", problems);
            outcomes[i] = next == null ? OutcomeTable.NONE : compileNext(next, path + ".next", index, problems);
        }

        if (!problems.isEmpty())
        {
            return new CompileResult(null, problems);
        }
        return new CompileResult(new CompiledFlow(flowId, names, commands, outcomes, index.get(start)), problems);
    }

    private static CompiledCommand compileCommand(
        final Map<String, Object> command, final String path, final Problems problems)
    {
        final Fields fields = Fields.of(command, path);
        final String typeName = fields.requireString("type", problems);
        if (typeName == null)
        {
            return null;
        }
        final CommandType type = CommandType.byName(typeName);
        if (type == null)
        {
            problems.add(path + ".type", "must be one of " + CommandType.NAMES);
            return null;
        }

        final int before = problems.size();
        final SerializedString[] names = new SerializedString[command.size()];
        final Object[] values = new Object[command.size()];
        // "type" always comes first, whatever order storage (jsonb) gave the keys back in.
        names[0] = TYPE;
        values[0] = TextTemplate.parse(type.typeName);
        int count = 1;
        for (final Map.Entry<String, Object> field : command.entrySet())
        {
            final String name = field.getKey();
            if ("type".equals(name))
            {
                continue;
            }
            final CommandType.Rule rule = type.rule(name);
            if (rule == null)
            {
                problems.add(path + "." + name, "is not a field of " + type.typeName);
                continue;
            }
            if (field.getValue() == null)
            {
                // JSON null reads as absent: a required field is reported below, an optional one is left out.
                continue;
            }
            final Object value = compileValue(fields, rule, path, problems);
            if (value != null)
            {
                names[count] = new SerializedString(name);
                values[count++] = value;
            }
        }
        for (int r = 0; r < type.ruleCount(); r++)
        {
            final CommandType.Rule rule = type.rule(r);
            if (rule.required() && command.get(rule.name()) == null)
            {
                problems.add(path + "." + rule.name(), "is required");
            }
        }
        if (problems.size() != before)
        {
            return null;
        }
        return new CompiledCommand(type, Arrays.copyOf(names, count), Arrays.copyOf(values, count));
    }

    /**
     * @return the compiled value, or null after recording a problem.
     */
    private static Object compileValue(
        final Fields fields, final CommandType.Rule rule, final String path, final Problems problems)
    {
        final int before = problems.size();
        switch (rule.kind())
        {
            case TEXT:
            {
                final String text = fields.optString(rule.name(), null, problems);
                if (text == null)
                {
                    return null;
                }
                if (rule.required() && text.isEmpty())
                {
                    problems.add(path + "." + rule.name(), "must not be empty");
                    return null;
                }
                return TextTemplate.parse(text);
            }
            case INTEGER:
            {
                final long value = fields.optLong(rule.name(), 0, rule.min(), rule.max(), problems);
                return problems.size() == before ? Long.valueOf(value) : null;
            }
            case BOOLEAN:
            {
                final boolean value = fields.optBoolean(rule.name(), false, problems);
                return problems.size() == before ? Boolean.valueOf(value) : null;
            }
            case TEXT_LIST:
            {
                final List<Object> list = fields.optList(rule.name(), problems);
                if (list == null)
                {
                    return null;
                }
                final String listPath = path + "." + rule.name();
                if (list.size() < rule.min() || list.size() > rule.max())
                {
                    problems.add(listPath, "must have " + rule.min() + " to " + rule.max() + " elements");
                    return null;
                }
                final TextTemplate[] elements = new TextTemplate[list.size()];
                for (int i = 0; i < elements.length; i++)
                {
                    final Object element = list.get(i);
                    if (!(element instanceof String))
                    {
                        problems.add(listPath + "[" + i + "]", "must be a string");
                    }
                    else if (((String)element).isEmpty())
                    {
                        problems.add(listPath + "[" + i + "]", "must not be empty");
                    }
                    else
                    {
                        elements[i] = TextTemplate.parse((String)element);
                    }
                }
                return problems.size() == before ? elements : null;
            }
            default:
                throw new IllegalStateException("unhandled kind " + rule.kind());
        }
    }

    private static OutcomeTable compileNext(
        final Map<String, Object> next, final String path, final Map<String, Integer> index, final Problems problems)
    {
        if (next.size() > MAX_PATTERNS)
        {
            problems.add(path, "must have at most " + MAX_PATTERNS + " outcome patterns");
            return OutcomeTable.NONE;
        }
        final Map<String, Integer> exact = new HashMap<>();
        final List<String> prefixes = new ArrayList<>();
        final Map<String, Integer> prefixTargets = new LinkedHashMap<>();
        int fallback = -1;
        for (final Map.Entry<String, Object> entry : next.entrySet())
        {
            final String pattern = entry.getKey();
            final String entryPath = path + "." + pattern;
            final String patternProblem = checkPattern(pattern);
            if (patternProblem != null)
            {
                problems.add(entryPath, patternProblem);
            }
            final Object target = entry.getValue();
            if (!(target instanceof String))
            {
                problems.add(entryPath, target == null ? "is required" : "must be a node name");
                continue;
            }
            final Integer targetIndex = index.get(target);
            if (targetIndex == null)
            {
                problems.add(entryPath, "names no node: " + quoteName((String)target));
                continue;
            }
            if (patternProblem != null)
            {
                continue;
            }
            if ("*".equals(pattern))
            {
                fallback = targetIndex;
            }
            else if (pattern.endsWith("*"))
            {
                final String prefix = pattern.substring(0, pattern.length() - 1);
                prefixes.add(prefix);
                prefixTargets.put(prefix, targetIndex);
            }
            else
            {
                exact.put(pattern, targetIndex);
            }
        }
        // Longest first, so the most specific wildcard wins; equal lengths cannot both match.
        prefixes.sort((a, b) -> Integer.compare(b.length(), a.length()));
        final int[] targets = new int[prefixes.size()];
        for (int i = 0; i < targets.length; i++)
        {
            targets[i] = prefixTargets.get(prefixes.get(i));
        }
        return new OutcomeTable(exact, prefixes.toArray(new String[0]), targets, fallback);
    }

    /**
     * @return what is wrong with an outcome pattern, or null if it is valid.
     */
    private static String checkPattern(final String pattern)
    {
        if (pattern.isEmpty() || pattern.length() > MAX_NAME_LENGTH)
        {
            return "outcome pattern must be 1 to " + MAX_NAME_LENGTH + " characters";
        }
        final int star = pattern.indexOf('*');
        if (star < 0 || "*".equals(pattern))
        {
            return null;
        }
        if (star == pattern.length() - 1 && star >= 2 && pattern.charAt(star - 1) == ':')
        {
            return null;
        }
        return "outcome pattern may use '*' only alone or as a final ':*'";
    }

    private static String nodePath(final String name)
    {
        return "nodes." + name;
    }

    private static String quoteName(final String name)
    {
        return name.length() <= MAX_NAME_LENGTH ? '"' + name + '"' : '"' + name.substring(0, MAX_NAME_LENGTH) + "…\"";
    }
}
