// The emulated vCenter service: sessions, the managers in ServiceContent, container views, tasks
// with asynchronous life cycles (queued → running → success|error) and the vim25 methods the
// Skyport adapter (and the pyvmomi fixtures) use.
import { randomBytes, randomUUID } from 'node:crypto';
import { child, childrenNamed, childText, toMoRef, type MoRef, type XmlNode } from '../soap/xml';
import type { EmulatorClock } from '../../contract/clock';
import { EmulatedInventory, type EmulatedVm, isA } from './state';
import { EmulatedPropertyCollector } from './property-collector';
import { faults, moRef, text, values, VimFault, type WireValue } from './wire';

export interface Session {
  key: string;
  cookie: string;
  userName: string;
  loginTime: string;
}

interface ContainerView {
  id: string;
  sessionKey: string;
  container: MoRef;
  types: string[];
  recursive: boolean;
}

type TaskState = 'queued' | 'running' | 'success' | 'error';

interface EmulatedTask {
  /** Emulator-clock instants the task starts running and finishes. */
  runningAt: number;
  doneAt: number;
  work: () => MoRef | void;
  onSettled?: () => void;
  injected?: VimFault;
  id: string;
  name: string;
  descriptionId: string;
  entity: MoRef;
  entityName: string;
  state: TaskState;
  error?: VimFault;
  result?: MoRef;
  queueTime: string;
  startTime?: string;
  completeTime?: string;
  userName: string;
}

const SERVICE_CONTENT_MANAGERS: [string, string, string][] = [
  ['setting', 'OptionManager', 'VpxSettings'],
  ['userDirectory', 'UserDirectory', 'UserDirectory'],
  ['sessionManager', 'SessionManager', 'SessionManager'],
  ['authorizationManager', 'AuthorizationManager', 'AuthorizationManager'],
  ['serviceManager', 'ServiceManager', 'ServiceMgr'],
  ['perfManager', 'PerformanceManager', 'PerfMgr'],
  ['scheduledTaskManager', 'ScheduledTaskManager', 'ScheduledTaskManager'],
  ['alarmManager', 'AlarmManager', 'AlarmManager'],
  ['eventManager', 'EventManager', 'EventManager'],
  ['taskManager', 'TaskManager', 'TaskManager'],
  ['extensionManager', 'ExtensionManager', 'ExtensionManager'],
  ['customizationSpecManager', 'CustomizationSpecManager', 'CustomizationSpecManager'],
  ['customFieldsManager', 'CustomFieldsManager', 'CustomFieldsManager'],
  ['diagnosticManager', 'DiagnosticManager', 'DiagMgr'],
  ['licenseManager', 'LicenseManager', 'LicenseManager'],
  ['searchIndex', 'SearchIndex', 'SearchIndex'],
  ['fileManager', 'FileManager', 'FileManager'],
  ['datastoreNamespaceManager', 'DatastoreNamespaceManager', 'DatastoreNamespaceManager'],
  ['virtualDiskManager', 'VirtualDiskManager', 'virtualDiskManager'],
  ['snmpSystem', 'HostSnmpSystem', 'SnmpSystem'],
  ['vmProvisioningChecker', 'VirtualMachineProvisioningChecker', 'ProvChecker'],
  ['vmCompatibilityChecker', 'VirtualMachineCompatibilityChecker', 'CompatChecker'],
  ['ovfManager', 'OvfManager', 'OvfManager'],
  ['ipPoolManager', 'IpPoolManager', 'IpPoolManager'],
  ['dvSwitchManager', 'DistributedVirtualSwitchManager', 'DVSManager'],
  ['hostProfileManager', 'HostProfileManager', 'HostProfileManager'],
  ['clusterProfileManager', 'ClusterProfileManager', 'ClusterProfileManager'],
  ['complianceManager', 'ProfileComplianceManager', 'MoComplianceManager'],
  ['localizationManager', 'LocalizationManager', 'LocalizationManager'],
  ['storageResourceManager', 'StorageResourceManager', 'StorageResourceManager'],
  ['guestOperationsManager', 'GuestOperationsManager', 'guestOperationsManager'],
  // vCenter's own spelling of this moref value.
  ['overheadMemoryManager', 'OverheadMemoryManager', 'OverheadMemoryManger'],
  ['certificateManager', 'CertificateManager', 'certificateManager'],
  ['ioFilterManager', 'IoFilterManager', 'IoFilterManager'],
];

const SINGLETONS = new Map<string, string>([
  ['ServiceInstance', 'ServiceInstance'],
  ['propertyCollector', 'PropertyCollector'],
  ['ViewManager', 'ViewManager'],
  ...SERVICE_CONTENT_MANAGERS.map(([, type, id]): [string, string] => [id, type]),
]);

const INSTANCE_UUID = '5d3c8e43-2f5a-4d1e-9b1e-5a4b7e0c0d01';
const MAX_RECENT_TASKS = 200;

function serviceContentXml(): string {
  const about =
    '<about>' +
    text('name', 'VMware vCenter Server') +
    text('fullName', 'VMware vCenter Server 8.0.2 build-22385739 (Skyport emulator)') +
    text('vendor', 'VMware, Inc.') +
    text('version', '8.0.2') +
    text('build', '22385739') +
    text('localeVersion', 'INTL') +
    text('localeBuild', '000') +
    text('osType', 'linux-x64') +
    text('productLineId', 'vpx') +
    text('apiType', 'VirtualCenter') +
    text('apiVersion', '8.0.2.0') +
    text('instanceUuid', INSTANCE_UUID) +
    text('licenseProductName', 'VMware VirtualCenter Server') +
    text('licenseProductVersion', '8.0') +
    '</about>';
  return (
    moRef('rootFolder', { type: 'Folder', value: 'group-d1' }) +
    moRef('propertyCollector', { type: 'PropertyCollector', value: 'propertyCollector' }) +
    moRef('viewManager', { type: 'ViewManager', value: 'ViewManager' }) +
    about +
    SERVICE_CONTENT_MANAGERS.map(([field, type, id]) => moRef(field, { type, value: id })).join('')
  );
}

function userSessionXml(session: Session): string {
  return (
    text('key', session.key) +
    text('userName', session.userName) +
    text('fullName', session.userName) +
    text('loginTime', session.loginTime) +
    text('lastActiveTime', new Date().toISOString()) +
    text('locale', 'en') +
    text('messageLocale', 'en') +
    text('extensionSession', false) +
    text('ipAddress', '127.0.0.1') +
    text('userAgent', '') +
    text('callCount', 0)
  );
}

export interface ServiceOptions {
  users: Record<string, string>;
  transitionMs: number;
  clock: EmulatorClock;
  /** How CloneVM_Task reports a taken name: a task that fails (vCenter, govmomi) or a direct fault. */
  duplicateNameAs: 'task' | 'fault';
  maxPageSize: number;
  onChange: () => void;
}

export interface CallContext {
  session?: Session;
  /** Fault to place into the next task this call creates (quota is reported by the task). */
  taskFault?: VimFault;
}

export class EmulatedVcenter {
  readonly sessions = new Map<string, Session>();
  private readonly views = new Map<string, ContainerView>();
  private readonly tasks = new Map<string, EmulatedTask>();
  private readonly recentTasks: string[] = [];
  /** Tasks not finished yet, settled lazily on the emulator clock (no timers to race). */
  private readonly pendingTasks: EmulatedTask[] = [];
  /** vCPUs of powered-on VMs admission control allows per datacenter; undefined = no limit. */
  vcpuLimit: number | undefined;
  /** Names reserved by clone tasks still running, per folder (DuplicateName while cloning). */
  private readonly reservedNames = new Map<string, Set<string>>();
  readonly collector: EmulatedPropertyCollector;

  constructor(
    readonly inventory: EmulatedInventory,
    private readonly options: ServiceOptions,
  ) {
    this.collector = new EmulatedPropertyCollector(
      {
        typeOf: (id) => this.typeOf(id),
        property: (ref, path) => this.property(ref, path),
        allPaths: (type) => (type === 'VirtualMachine' ? ['name', 'config.template', 'runtime.powerState', 'customValue'] : ['name']),
      },
      options.maxPageSize,
    );
  }

  close(): void {
    this.pendingTasks.length = 0;
  }

  sessionByCookie(cookie: string | undefined): Session | undefined {
    if (!cookie) return undefined;
    for (const session of this.sessions.values()) if (session.cookie === cookie) return session;
    return undefined;
  }

  dropSession(session: Session): void {
    this.sessions.delete(session.key);
    this.collector.dropSession(session.key);
    for (const [id, view] of this.views) if (view.sessionKey === session.key) this.views.delete(id);
  }

  // ---- object model ----

  private typeOf(id: string): string | undefined {
    return SINGLETONS.get(id) ?? this.inventory.typeOf(id) ?? (this.views.has(id) ? 'ContainerView' : this.tasks.has(id) ? 'Task' : undefined);
  }

  private resolve(ref: MoRef | undefined, what: string): MoRef {
    if (!ref) throw faults.invalidArgument(what);
    const type = this.typeOf(ref.value);
    if (!type) throw faults.notFound(ref);
    return { type, value: ref.value };
  }

  private property(ref: MoRef, path: string): WireValue | undefined {
    switch (ref.type) {
      case 'ServiceInstance':
        if (path === 'content') return values.data('ServiceContent', serviceContentXml());
        break;
      case 'SessionManager':
        if (path === 'currentSession') return this.currentSessionValue;
        break;
      case 'CustomFieldsManager':
        if (path === 'field') return this.inventory.fieldDefsValue();
        break;
      case 'TaskManager':
        if (path === 'recentTask') return values.moRefs(this.recentTasks.map((id) => ({ type: 'Task', value: id })));
        break;
      case 'ContainerView': {
        const view = this.views.get(ref.value);
        if (!view) throw faults.notFound(ref);
        if (path === 'view') return values.moRefs(this.viewContents(view));
        if (path === 'container') return values.moRef(view.container);
        if (path === 'type') return values.strings(view.types);
        break;
      }
      case 'Task': {
        const task = this.tasks.get(ref.value);
        if (!task) throw faults.notFound(ref);
        if (path === 'info') return values.data('TaskInfo', this.taskInfoXml(task));
        if (path === 'info.state') return values.enumValue('TaskInfoState', task.state);
        if (path === 'info.error') return task.error ? values.data('LocalizedMethodFault', this.localizedFaultXml(task.error)) : undefined;
        if (path === 'info.result') return task.result ? values.moRef(task.result) : undefined;
        break;
      }
      default:
        if (this.inventory.typeOf(ref.value)) return this.inventory.property(ref.value, path);
    }
    throw faults.invalidProperty(path);
  }

  /** Set per call (the property getter has no other way to know the caller's session). */
  private currentSessionValue: WireValue | undefined;

  private viewContents(view: ContainerView): MoRef[] {
    const refs: MoRef[] = [];
    for (const id of this.inventory.descendants(view.container.value, view.recursive)) {
      const type = this.inventory.typeOf(id);
      if (type && view.types.some((t) => isA(type, t))) refs.push({ type, value: id });
    }
    return refs;
  }

  // ---- tasks ----

  /**
   * Start a task: queued now, running after a third of transitionMs, finished after transitionMs
   * when `work` runs (its VimFault becomes info.error; its return value info.result). Progress is
   * computed from the emulator clock whenever the emulator is used, so a held clock holds tasks.
   */
  private startTask(
    ctx: CallContext,
    name: string,
    descriptionId: string,
    entity: MoRef,
    work: () => MoRef | void,
    onSettled?: () => void,
  ): MoRef {
    const now = this.options.clock.now();
    const task: EmulatedTask = {
      id: this.inventory.id('task'),
      name,
      descriptionId,
      entity,
      entityName: this.inventory.nameOf(entity.value) ?? entity.value,
      state: 'queued',
      queueTime: new Date().toISOString(),
      userName: ctx.session?.userName ?? 'unknown',
      runningAt: now + Math.floor(this.options.transitionMs / 3),
      doneAt: now + this.options.transitionMs,
      work,
      onSettled,
      injected: ctx.taskFault,
    };
    this.tasks.set(task.id, task);
    this.recentTasks.push(task.id);
    while (this.recentTasks.length > MAX_RECENT_TASKS) this.tasks.delete(this.recentTasks.shift()!);
    this.pendingTasks.push(task);
    return { type: 'Task', value: task.id };
  }

  /** Apply every task step that is due on the emulator clock, in the order they fall due. */
  settle(): void {
    const now = this.options.clock.now();
    let changed = false;
    for (const task of this.pendingTasks) {
      if (task.state === 'queued' && task.runningAt <= now) {
        task.state = 'running';
        task.startTime = new Date().toISOString();
      }
    }
    const due = this.pendingTasks.filter((t) => t.doneAt <= now).sort((a, b) => a.doneAt - b.doneAt);
    for (const task of due) {
      this.pendingTasks.splice(this.pendingTasks.indexOf(task), 1);
      task.startTime ??= new Date().toISOString();
      try {
        if (task.injected) throw task.injected;
        const result = task.work();
        if (result) task.result = result;
        task.state = 'success';
      } catch (error) {
        task.state = 'error';
        task.error = error instanceof VimFault ? error : faults.systemError();
      }
      task.completeTime = new Date().toISOString();
      task.onSettled?.();
      changed = true;
    }
    if (changed) this.options.onChange();
  }

  private localizedFaultXml(fault: VimFault): string {
    return `<fault xsi:type="${fault.type}">${fault.fieldsXml}</fault>${text('localizedMessage', fault.message)}`;
  }

  private taskInfoXml(task: EmulatedTask): string {
    return (
      text('key', task.id) +
      moRef('task', { type: 'Task', value: task.id }) +
      text('name', task.name) +
      text('descriptionId', task.descriptionId) +
      moRef('entity', task.entity) +
      text('entityName', task.entityName) +
      text('state', task.state) +
      text('cancelled', false) +
      text('cancelable', task.state !== 'success' && task.state !== 'error') +
      (task.error ? `<error>${this.localizedFaultXml(task.error)}</error>` : '') +
      (task.result ? moRef('result', task.result, true) : '') +
      `<reason xsi:type="TaskReasonUser">${text('userName', task.userName)}</reason>` +
      text('queueTime', task.queueTime) +
      (task.startTime ? text('startTime', task.startTime) : '') +
      (task.completeTime ? text('completeTime', task.completeTime) : '') +
      text('eventChainId', task.id.replace(/\D/g, '') || '1')
    );
  }

  // ---- method dispatch ----

  /** Methods callable without a session. */
  static readonly ANONYMOUS = new Set(['RetrieveServiceContent', 'Login']);

  /** Run one method; returns the inner XML of `<MethodResponse>`. Throws VimFault. */
  invoke(method: string, self: MoRef | undefined, args: XmlNode, ctx: CallContext): string {
    this.settle();
    const session = ctx.session;
    if (!EmulatedVcenter.ANONYMOUS.has(method) && !session) throw faults.notAuthenticated();
    const sessionKey = session?.key ?? '';
    switch (method) {
      case 'RetrieveServiceContent':
        return `<returnval>${serviceContentXml()}</returnval>`;
      case 'Login':
        return this.login(args, ctx);
      case 'Logout':
        if (session) this.dropSession(session);
        return '';
      case 'RetrievePropertiesEx':
        this.currentSessionValue = session ? values.data('UserSession', userSessionXml(session)) : undefined;
        return this.collector.retrievePropertiesEx(args, sessionKey);
      case 'ContinueRetrievePropertiesEx':
        this.currentSessionValue = session ? values.data('UserSession', userSessionXml(session)) : undefined;
        return this.collector.continueRetrievePropertiesEx(args, sessionKey);
      case 'CancelRetrievePropertiesEx':
        this.collector.cancelRetrievePropertiesEx(args, sessionKey);
        return '';
      case 'CreateContainerView':
        return this.createContainerView(args, sessionKey);
      case 'DestroyView':
        if (!self || !this.views.delete(self.value)) throw faults.notFound(self ?? { type: 'ContainerView', value: '' });
        return '';
      case 'FindChild':
        return this.findChild(args);
      case 'FindByInventoryPath':
        return this.findByInventoryPath(args);
      case 'AddCustomFieldDef':
        return this.addCustomFieldDef(args);
      case 'SetField':
        this.setField(args);
        return '';
      case 'CloneVM_Task':
        return moRef('returnval', this.cloneVm(this.vmOf(self), args, ctx));
      case 'PowerOnVM_Task':
        return moRef('returnval', this.powerTask(this.vmOf(self), ctx, 'PowerOnVM_Task', 'poweredOn'));
      case 'PowerOffVM_Task':
        return moRef('returnval', this.powerTask(this.vmOf(self), ctx, 'PowerOffVM_Task', 'poweredOff'));
      case 'ResetVM_Task':
        return moRef('returnval', this.resetVm(this.vmOf(self), ctx));
      case 'RebootGuest':
        this.rebootGuest(this.vmOf(self));
        return '';
      case 'ReconfigVM_Task':
        return moRef('returnval', this.reconfigVm(this.vmOf(self), args, ctx));
      case 'Destroy_Task':
        return moRef('returnval', this.destroyVm(this.vmOf(self), ctx));
      case 'MarkAsTemplate': {
        const vm = this.vmOf(self);
        if (vm.powerState !== 'poweredOff') throw faults.invalidPowerState('poweredOff', vm.powerState);
        vm.template = true;
        this.options.onChange();
        return '';
      }
      default:
        throw faults.methodNotFound(method);
    }
  }

  private login(args: XmlNode, ctx: CallContext): string {
    const userName = childText(args, 'userName') ?? '';
    const password = childText(args, 'password') ?? '';
    if (!(userName in this.options.users) || this.options.users[userName] !== password) throw faults.invalidLogin();
    const key = randomUUID();
    const session: Session = { key, cookie: `"${randomBytes(20).toString('hex')}"`, userName, loginTime: new Date().toISOString() };
    this.sessions.set(key, session);
    ctx.session = session;
    return `<returnval>${userSessionXml(session)}</returnval>`;
  }

  private createContainerView(args: XmlNode, sessionKey: string): string {
    const container = this.resolve(toMoRef(child(args, 'container')), 'container');
    const types = childrenNamed(args, 'type').map((t) => t.text);
    const id = `session[${sessionKey}]${randomUUID()}`;
    this.views.set(id, { id, sessionKey, container, types, recursive: childText(args, 'recursive') === 'true' });
    return moRef('returnval', { type: 'ContainerView', value: id });
  }

  private findChild(args: XmlNode): string {
    const entity = this.resolve(toMoRef(child(args, 'entity')), 'entity');
    const name = childText(args, 'name') ?? '';
    const found = this.inventory.childrenOf(entity.value).find((id) => this.inventory.nameOf(id) === name);
    const ref = found ? this.inventory.ref(found) : undefined;
    return ref ? moRef('returnval', ref) : '';
  }

  private findByInventoryPath(args: XmlNode): string {
    const path = childText(args, 'inventoryPath') ?? '';
    let current = 'group-d1';
    for (const segment of path.split('/').filter(Boolean)) {
      const next = this.inventory.childrenOf(current).find((id) => this.inventory.nameOf(id) === segment);
      if (!next) return '';
      current = next;
    }
    const ref = this.inventory.ref(current);
    return ref ? moRef('returnval', ref) : '';
  }

  private addCustomFieldDef(args: XmlNode): string {
    const name = childText(args, 'name') ?? '';
    const moType = childText(args, 'moType') ?? 'ManagedEntity';
    if (!name) throw faults.invalidArgument('name');
    if (this.inventory.fields.some((f) => f.name === name && f.moType === moType)) {
      throw faults.duplicateName(name, { type: 'CustomFieldsManager', value: 'CustomFieldsManager' });
    }
    const def = { key: this.inventory.nextFieldKey++, name, moType };
    this.inventory.fields.push(def);
    this.options.onChange();
    return (
      `<returnval>${text('key', def.key)}${text('name', def.name)}${text('type', 'string')}` +
      `${text('managedObjectType', def.moType)}</returnval>`
    );
  }

  private setField(args: XmlNode): void {
    const entity = this.resolve(toMoRef(child(args, 'entity')), 'entity');
    const key = Number.parseInt(childText(args, 'key') ?? '', 10);
    if (!this.inventory.fieldByKey(key)) throw faults.invalidArgument('key');
    const vm = this.inventory.vms.get(entity.value);
    if (!vm) throw faults.invalidArgument('entity');
    vm.customValues[String(key)] = childText(args, 'value') ?? '';
    this.options.onChange();
  }

  private vmOf(self: MoRef | undefined): EmulatedVm {
    const vm = self ? this.inventory.vms.get(self.value) : undefined;
    if (!vm) throw faults.notFound(self ?? { type: 'VirtualMachine', value: '' });
    return vm;
  }

  private cloneVm(source: EmulatedVm, args: XmlNode, ctx: CallContext): MoRef {
    const folderRef = this.resolve(toMoRef(child(args, 'folder')), 'folder');
    const folder = this.inventory.folders.get(folderRef.value);
    const dc = this.inventory.datacenterOfFolder(folderRef.value);
    if (!folder || folder.childType !== 'VirtualMachine' || !dc) throw faults.invalidArgument('folder');
    const name = childText(args, 'name') ?? '';
    if (!name || name.length > 80) throw faults.invalidArgument('name');
    const spec = child(args, 'spec');
    const pool = toMoRef(child(child(spec, 'location'), 'pool'));
    if (source.template && !pool) throw faults.invalidArgument('spec.location.pool');
    if (pool) this.resolve(pool, 'spec.location.pool');
    const reserved = this.reservedNames.get(folder.id) ?? new Set<string>();
    const taken = reserved.has(name) || folder.children.some((id) => this.inventory.nameOf(id) === name);
    if (taken) {
      // vCenter (and govmomi's simulator) accept the call and fail the task with DuplicateName.
      if (this.options.duplicateNameAs === 'fault') throw faults.duplicateName(name, folderRef);
      return this.startTask(ctx, 'CloneVM_Task', 'VirtualMachine.clone', { type: 'VirtualMachine', value: source.id }, () => {
        throw faults.duplicateName(name, folderRef);
      });
    }
    reserved.add(name);
    this.reservedNames.set(folder.id, reserved);
    const config = child(spec, 'config');
    const numCPUs = Number.parseInt(childText(config, 'numCPUs') ?? '', 10);
    const memoryMB = Number.parseInt(childText(config, 'memoryMB') ?? '', 10);
    const powerOn = childText(spec, 'powerOn') === 'true';
    return this.startTask(
      ctx,
      'CloneVM_Task',
      'VirtualMachine.clone',
      { type: 'VirtualMachine', value: source.id },
      () => {
        const vcpus = Number.isFinite(numCPUs) ? numCPUs : source.numCPU;
        if (powerOn) this.admit(dc.id, vcpus);
        const vm = this.inventory.addVm({
          name,
          folderId: folder.id,
          datacenterId: dc.id,
          template: childText(spec, 'template') === 'true',
          numCPU: Number.isFinite(numCPUs) ? numCPUs : source.numCPU,
          memoryMB: Number.isFinite(memoryMB) ? memoryMB : source.memoryMB,
          powerState: powerOn ? 'poweredOn' : 'poweredOff',
          guestFullName: source.guestFullName,
          annotation: childText(config, 'annotation') ?? source.annotation,
          ipAddress: `10.${20 + (this.inventory.nextId % 200)}.${Math.floor(this.inventory.nextId / 250) % 250}.${(this.inventory.nextId % 250) + 2}`,
          toolsRunning: true,
        });
        return { type: 'VirtualMachine', value: vm.id };
      },
      () => reserved.delete(name),
    );
  }

  private powerTask(vm: EmulatedVm, ctx: CallContext, method: string, target: 'poweredOn' | 'poweredOff'): MoRef {
    if (vm.template) throw faults.invalidState(`cannot power ${target === 'poweredOn' ? 'on' : 'off'} a template`);
    const descriptionId = target === 'poweredOn' ? 'VirtualMachine.powerOn' : 'VirtualMachine.powerOff';
    return this.startTask(ctx, method, descriptionId, { type: 'VirtualMachine', value: vm.id }, () => {
      const current = this.inventory.vms.get(vm.id);
      if (!current) throw faults.notFound({ type: 'VirtualMachine', value: vm.id });
      if (current.powerState === target) throw faults.invalidPowerState(target === 'poweredOn' ? 'poweredOff' : 'poweredOn', current.powerState);
      if (target === 'poweredOn') this.admit(current.datacenterId, current.numCPU);
      current.powerState = target;
    });
  }

  /** Admission control: powering on `vcpus` more must fit the datacenter's limit. */
  private admit(datacenterId: string, vcpus: number): void {
    if (this.vcpuLimit === undefined) return;
    let used = 0;
    for (const vm of this.inventory.vms.values()) {
      if (!vm.template && vm.datacenterId === datacenterId && vm.powerState === 'poweredOn') used += vm.numCPU;
    }
    if (used + vcpus > this.vcpuLimit) throw faults.insufficientResources();
  }

  private resetVm(vm: EmulatedVm, ctx: CallContext): MoRef {
    return this.startTask(ctx, 'ResetVM_Task', 'VirtualMachine.reset', { type: 'VirtualMachine', value: vm.id }, () => {
      const current = this.inventory.vms.get(vm.id);
      if (!current) throw faults.notFound({ type: 'VirtualMachine', value: vm.id });
      if (current.powerState !== 'poweredOn') throw faults.invalidPowerState('poweredOn', current.powerState);
    });
  }

  private rebootGuest(vm: EmulatedVm): void {
    if (vm.powerState !== 'poweredOn') throw faults.invalidPowerState('poweredOn', vm.powerState);
    if (!vm.toolsRunning) throw new VimFault('ToolsUnavailable', 'Cannot complete operation because VMware Tools is not running in this virtual machine.');
  }

  private reconfigVm(vm: EmulatedVm, args: XmlNode, ctx: CallContext): MoRef {
    const spec = child(args, 'spec');
    const numCPUs = Number.parseInt(childText(spec, 'numCPUs') ?? '', 10);
    const memoryMB = Number.parseInt(childText(spec, 'memoryMB') ?? '', 10);
    if (childText(spec, 'numCPUs') !== undefined && !(numCPUs > 0)) throw faults.invalidArgument('spec.numCPUs');
    if (childText(spec, 'memoryMB') !== undefined && !(memoryMB > 0)) throw faults.invalidArgument('spec.memoryMB');
    return this.startTask(ctx, 'ReconfigVM_Task', 'VirtualMachine.reconfigure', { type: 'VirtualMachine', value: vm.id }, () => {
      const current = this.inventory.vms.get(vm.id);
      if (!current) throw faults.notFound({ type: 'VirtualMachine', value: vm.id });
      if (numCPUs > 0) current.numCPU = numCPUs;
      if (memoryMB > 0) current.memoryMB = memoryMB;
      const annotation = childText(spec, 'annotation');
      if (annotation !== undefined) current.annotation = annotation;
    });
  }

  private destroyVm(vm: EmulatedVm, ctx: CallContext): MoRef {
    return this.startTask(ctx, 'Destroy_Task', 'VirtualMachine.destroy', { type: 'VirtualMachine', value: vm.id }, () => {
      const current = this.inventory.vms.get(vm.id);
      if (!current) throw faults.notFound({ type: 'VirtualMachine', value: vm.id });
      if (current.powerState === 'poweredOn') throw faults.invalidPowerState('poweredOff', current.powerState);
      this.inventory.removeVm(vm.id);
    });
  }
}
