-- Argo CD health check for cospress.io/DistillationRun.
--
-- Reads what the CosPress operator writes (docs/status-model.md): status.observedGeneration, the
-- Ready / Reconciling / Stalled conditions and status.phase, and adds the trainer's
-- status.progress to the message while the operator still drives the run.
--
--   status.observedGeneration missing or behind metadata.generation -> Progressing
--   Stalled=True (phase Failed, or stalled: pending past the limit) -> Degraded
--   Ready=True (phase Succeeded)                                    -> Healthy
--   phase Suspended, or spec.suspend observed                       -> Suspended
--   Reconciling=True (Pending, Queued, Running)                     -> Progressing + progress
--   anything else                                                   -> Progressing
--
-- Written for Lua 5.1 as Argo CD runs it (gopher-lua, every number a float) and kept valid on
-- Lua 5.4. It must never raise: Argo CD shows a script error as an unknown health, so every
-- field is type-checked before it is used.

local function asTable(value)
  if type(value) == "table" then
    return value
  end
  return nil
end

local function asText(value)
  if type(value) == "string" and value ~= "" then
    return value
  end
  return nil
end

local function asNumber(value)
  -- value == value leaves out NaN
  if type(value) == "number" and value == value then
    return value
  end
  return nil
end

-- A number as people write it: "3", not "3.0" (Lua 5.4 prints floats with a fraction).
local function numberText(n)
  if n == math.floor(n) and n > -1e15 and n < 1e15 then
    return tostring(math.floor(n))
  end
  return tostring(n)
end

-- The condition of the given type with the lowest index. pairs, not ipairs, so that a hole
-- (a null in the list) does not hide the conditions after it.
local function findCondition(status, conditionType)
  local conditions = asTable(status.conditions)
  if conditions == nil then
    return nil
  end
  local found, foundAt = nil, nil
  for index, condition in pairs(conditions) do
    if type(index) == "number" and type(condition) == "table" and condition.type == conditionType
        and (foundAt == nil or index < foundAt) then
      found, foundAt = condition, index
    end
  end
  return found
end

-- What a condition says; where it is missing or neither True nor False, what the phase implies.
local function holds(condition, phaseImpliesIt)
  if condition ~= nil and (condition.status == "True" or condition.status == "False") then
    return condition.status == "True"
  end
  return phaseImpliesIt
end

-- Ready, Reconciling and Stalled all carry the phase's message; status.message repeats it.
local function explanation(status, condition)
  if condition ~= nil then
    local text = asText(condition.message) or asText(condition.reason)
    if text ~= nil then
      return text
    end
  end
  return asText(status.message) or asText(status.reason)
end

local function durationText(seconds)
  local total = math.floor(seconds)
  local hours = math.floor(total / 3600)
  local minutes = math.floor((total - hours * 3600) / 60)
  local rest = total - hours * 3600 - minutes * 60
  if hours > 0 then
    return numberText(hours) .. "h" .. numberText(minutes) .. "m"
  end
  if minutes > 0 then
    return numberText(minutes) .. "m" .. numberText(rest) .. "s"
  end
  return numberText(rest) .. "s"
end

-- "epoch 3/10, step 1200/4000, 30%, ETA 14m0s" from status.progress, or nil without any.
local function progressText(progress)
  progress = asTable(progress)
  if progress == nil then
    return nil
  end
  local parts = {}
  local epoch = asNumber(progress.epoch)
  local totalEpochs = asNumber(progress.totalEpochs)
  if epoch ~= nil and totalEpochs ~= nil then
    parts[#parts + 1] = "epoch " .. numberText(epoch) .. "/" .. numberText(totalEpochs)
  elseif asText(progress.epochs) ~= nil then
    parts[#parts + 1] = "epoch " .. progress.epochs
  elseif epoch ~= nil then
    parts[#parts + 1] = "epoch " .. numberText(epoch)
  end
  local step = asNumber(progress.step)
  local totalSteps = asNumber(progress.totalSteps)
  if step ~= nil and totalSteps ~= nil then
    parts[#parts + 1] = "step " .. numberText(step) .. "/" .. numberText(totalSteps)
  elseif step ~= nil then
    parts[#parts + 1] = "step " .. numberText(step)
  end
  local fraction = asNumber(progress.fraction)
  if fraction == nil and step ~= nil and totalSteps ~= nil and totalSteps > 0 then
    fraction = step / totalSteps
  end
  if fraction ~= nil then
    if fraction < 0 then
      fraction = 0
    elseif fraction > 1 then
      fraction = 1
    end
    -- Rounded down, so a run shows 100% only once every step is done.
    parts[#parts + 1] = numberText(math.floor(fraction * 100 + 1e-9)) .. "%"
  end
  local eta = asNumber(progress.etaSeconds)
  if eta ~= nil and eta >= 0 and eta < 1e9 then
    parts[#parts + 1] = "ETA " .. durationText(eta)
  end
  if #parts == 0 then
    return nil
  end
  return table.concat(parts, ", ")
end

local function evaluate(run)
  local metadata = asTable(run.metadata) or {}
  local generation = asNumber(metadata.generation)
  local status = asTable(run.status)
  local observed = nil
  if status ~= nil then
    observed = asNumber(status.observedGeneration)
  end
  if status == nil or observed == nil or (generation ~= nil and observed < generation) then
    local what = "the run"
    if generation ~= nil then
      what = "generation " .. numberText(generation)
    end
    return "Progressing", "Waiting for the operator to observe " .. what
  end

  local phase = asText(status.phase)
  local stalled = findCondition(status, "Stalled")
  local ready = findCondition(status, "Ready")
  local reconciling = findCondition(status, "Reconciling")

  if holds(stalled, phase == "Failed") then
    return "Degraded", explanation(status, stalled) or "The run failed"
  end
  if holds(ready, phase == "Succeeded") then
    return "Healthy", explanation(status, ready) or "The run succeeded"
  end

  local spec = asTable(run.spec) or {}
  if phase == "Suspended" or spec.suspend == true then
    return "Suspended", explanation(status, reconciling) or "The run is suspended"
  end

  if holds(reconciling, phase == "Pending" or phase == "Queued" or phase == "Running") then
    local message = explanation(status, reconciling)
      or ("The operator is reconciling the run" .. (phase and (" (phase " .. phase .. ")") or ""))
    local progress = progressText(status.progress)
    if progress ~= nil then
      message = message .. " (" .. progress .. ")"
    end
    return "Progressing", message
  end

  local message = explanation(status, reconciling)
  if message == nil and phase ~= nil then
    message = "Phase " .. phase
  end
  return "Progressing", message or "Waiting for the operator to report the run's state"
end

local hs = {}
hs.status, hs.message = evaluate(asTable(obj) or {})
return hs
