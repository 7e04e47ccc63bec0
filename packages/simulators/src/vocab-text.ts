/**
 * Text pools for case summaries, descriptions and comment threads. `{ver}`, `{case}`, `{bug}`,
 * `{n}` and `{url}` placeholders are filled by text-gen.ts. A few entries carry HTML/script
 * payloads on purpose: the dashboard must escape remote text, and the demo data should prove it.
 */

export interface ProductDef {
  name: string;
  versions: readonly string[];
  /** Jira project that holds this product's engineering bugs. */
  jiraProject: string;
  bugzillaProduct: string;
  components: readonly string[];
  weight: number;
  summaries: readonly string[];
}

export const PRODUCTS: readonly ProductDef[] = [
  {
    name: 'OpenShift Container Platform',
    versions: ['4.12', '4.14', '4.15', '4.16', '4.17', '4.18', '4.19'],
    jiraProject: 'OCPBUGS',
    bugzillaProduct: 'OpenShift Container Platform',
    components: [
      'Networking',
      'Node',
      'Installer',
      'Etcd',
      'Cloud Native Events',
      'Performance Addon Operator',
    ],
    weight: 60,
    summaries: [
      'PTP sync lost after upgrade to {ver}',
      'ptp4l reports clock class 248 after grandmaster failover',
      'SR-IOV VF not attached to pod after node reboot',
      'DPDK throughput drops by 30% on {ver} with performance profile',
      'ovnkube-node pods in CrashLoopBackOff after MachineConfig rollout',
      'etcd leader elections every few minutes on SNO',
      'ZTP SiteConfig fails to render: missing ClusterImageSet',
      'NMState NodeNetworkConfigurationPolicy stuck in Progressing',
      'kubelet reports PLEG is not healthy on worker nodes',
      'Upgrade from 4.16 to {ver} stuck at 85% (machine-config)',
      'Webscale cluster API latency spikes during backup',
      'Image registry pods evicted due to ephemeral storage',
      'Node stays NotReady after enabling workload partitioning',
      'MetalLB BGP sessions flap every 90 seconds',
      'Cluster logging forwarder drops audit logs',
      'CPU isolation broken: housekeeping threads on reserved cores',
      'Ingress controller returns 503 for long-lived websockets',
      'Real-time kernel latency exceeds 20us in cyclictest',
    ],
  },
  {
    name: 'Red Hat Enterprise Linux',
    versions: ['8.8', '8.10', '9.2', '9.4', '9.6'],
    jiraProject: 'RHEL',
    bugzillaProduct: 'Red Hat Enterprise Linux 9',
    components: ['kernel', 'NetworkManager', 'tuned', 'linuxptp', 'systemd'],
    weight: 12,
    summaries: [
      'Kernel panic in ice driver under heavy traffic',
      'tuned realtime profile not applied after reboot',
      'linuxptp phc2sys offset drifting beyond 100ns',
      'NetworkManager loses bond configuration on {ver}',
      'Soft lockups reported on RHEL {ver} with 2MB hugepages',
    ],
  },
  {
    name: 'OpenShift Virtualization',
    versions: ['4.14', '4.15', '4.16', '4.17', '4.18'],
    jiraProject: 'CNV',
    bugzillaProduct: 'Container Native Virtualization (CNV)',
    components: ['Virtualization', 'Networking', 'Storage'],
    weight: 10,
    summaries: [
      'Live migration of VM with SR-IOV interface fails',
      'VM stuck in Starting state after cluster upgrade to {ver}',
      'virt-launcher OOMKilled for VMs with dedicated CPUs',
      'Windows VM loses network after live migration',
    ],
  },
  {
    name: 'Red Hat Advanced Cluster Management for Kubernetes',
    versions: ['2.10', '2.11', '2.12', '2.13'],
    jiraProject: 'ACM',
    bugzillaProduct: 'Red Hat Advanced Cluster Management for Kubernetes',
    components: ['GRC', 'Cluster Lifecycle', 'Observability'],
    weight: 8,
    summaries: [
      'TALM ClusterGroupUpgrade times out for 500 spoke clusters',
      'Policy remains NonCompliant although resource exists',
      'Hub cluster observability thanos-store crashloops',
      'Managed cluster import hangs at Pending Import',
    ],
  },
  {
    name: 'Red Hat OpenShift Data Foundation',
    versions: ['4.15', '4.16', '4.17', '4.18'],
    jiraProject: 'DFBUGS',
    bugzillaProduct: 'Red Hat OpenShift Data Foundation',
    components: ['ceph', 'rook', 'odf-operator'],
    weight: 5,
    summaries: ['Ceph OSD flapping after node drain', 'ODF upgrade blocked by unhealthy PGs'],
  },
  {
    name: 'Red Hat OpenStack Platform',
    versions: ['16.2', '17.1'],
    jiraProject: 'OSPRH',
    bugzillaProduct: 'Red Hat OpenStack',
    components: ['openstack-nova', 'openstack-neutron', 'ovn'],
    weight: 5,
    summaries: ['Instances with SR-IOV ports fail to spawn', 'OVN metadata agent timeouts on compute nodes'],
  },
];

/** Summaries a customer wrote in their own language (used for some non-English accounts). */
export const LOCALIZED_SUMMARIES: Readonly<Record<string, readonly string[]>> = {
  ja: [
    'アップグレード後にPTP同期が失われる',
    'SR-IOV VFがPodに割り当てられない',
    'ノード再起動後にクラスタが不安定',
  ],
  ko: ['업그레이드 후 PTP 동기화 손실', '노드 재부팅 후 SR-IOV VF가 연결되지 않음'],
  es: [
    'Pérdida de sincronización PTP tras la actualización',
    'Los pods DPDK no arrancan en los nodos worker',
  ],
  de: ['PTP-Synchronisation nach dem Upgrade verloren', 'Knoten bleibt nach Neustart NotReady'],
  fr: ['Perte de synchronisation PTP après la mise à jour', "Les pods SR-IOV n'obtiennent pas de VF"],
  pt: ['Perda de sincronização PTP após atualização', 'Pods DPDK com desempenho degradado'],
  zh: ['升级后PTP同步丢失', '节点重启后SR-IOV VF未挂载到Pod'],
};

export const DESCRIPTION_SENTENCES: readonly string[] = [
  'The issue started right after the maintenance window on our production cluster.',
  'We have 3 control plane nodes and 12 workers running the DU profile.',
  'Single Node OpenShift deployed with ZTP on Dell PowerEdge XR11 hardware.',
  'Intel E810 NICs with ice driver and firmware 4.40.',
  'This affects our 5G RAN rollout and customers in two regions.',
  'We already collected a must-gather and an sosreport from the affected node.',
  'The problem is reproducible roughly once per day.',
  'Rolling back the MachineConfig did not help.',
  'Business impact: we cannot onboard new cell sites until this is fixed.',
  'Logs show repeated "context deadline exceeded" errors from the operator.',
  'See https://access.redhat.com/solutions/6965075 which looks similar but the workaround does not apply.',
  'The grandmaster is a Microchip TP4100 connected via a Boundary Clock.',
];

export const ASSOCIATE_COMMENTS: readonly string[] = [
  'Thank you for the must-gather. I am reviewing the logs and will update you shortly.',
  'Could you please collect an sosreport from the affected node? Instructions: https://access.redhat.com/solutions/3592',
  'We have reproduced the issue in our lab and raised {bug} with engineering.',
  'Engineering has identified a fix; it is targeted for {ver}.z.',
  'As a workaround, please restart the linuxptp-daemon pod on the affected node.',
  'I have engaged the networking SME team and will share their analysis.',
  'The logs show the NIC firmware resetting; please confirm the firmware version.',
  'Can we schedule a remote session tomorrow at 09:00 UTC to collect live data?',
  'The fix is available in errata RHBA-2025:{n}. Please upgrade and confirm.',
  'Closing the loop: the customer confirmed the workaround is effective.',
];

export const CUSTOMER_COMMENTS: readonly string[] = [
  'The issue happened again last night at 02:15 UTC.',
  'Uploaded must-gather-{n}.tar.gz to the case.',
  'We applied the workaround and the cluster is stable for now.',
  'Any update? This is blocking our production rollout.',
  'Please see the attached graph, latency goes up every hour.',
  'Firmware version is 4.40, driver 1.13.7.',
  'We can reproduce it on a second cluster as well.',
  'Thanks, we will test the fix in our staging environment this week.',
];

export const LOCALIZED_COMMENTS: readonly string[] = [
  '昨夜も同じ問題が発生しました。ログを添付します。',
  '업데이트 부탁드립니다. 운영에 영향이 있습니다.',
  'Hemos aplicado la solución temporal y el clúster está estable.',
  'Das Problem tritt weiterhin auf, bitte um Rückmeldung.',
  'Merci pour votre retour, nous testons le correctif.',
  '问题仍然存在，请尽快处理。',
];

/** Payloads the UI must escape; rare, but always present in a default-sized data set. */
export const HOSTILE_TEXTS: readonly string[] = [
  "<script>alert('xss')</script> the pod keeps restarting",
  'See screenshot <img src=x onerror="alert(document.cookie)">',
  '<a href="javascript:alert(1)">click for details</a>',
  '"><svg onload=alert(1)> quoted breakout attempt',
];

export const CARD_COMMENTS: readonly string[] = [
  'Customer uploaded a new must-gather, see [case attachments|https://access.redhat.com/support/cases/#/case/{case}/attachments]',
  'Reproduced in the lab. Opened {bug}: https://issues.redhat.com/browse/{bug}',
  '*Update:* waiting on the customer to test the workaround.',
  'Synced with engineering; fix is in review: https://github.com/openshift/linuxptp-daemon/pull/{n}',
  '{code}oc get pods -n openshift-ptp -o wide{code}',
  'Remote session held with the customer, collected perf data from 2 nodes.',
  'Escalated to the prio-list, customer has a launch date next month.',
  'h3. Status\nRoot cause identified in the ice driver. Backport requested for {ver}.z.',
  'No update from customer for a week, sent a reminder.',
  'Workaround confirmed. Keeping the card open until the errata ships.',
  'Discussed in the weekly Telco sync: [meeting notes|https://docs.example.com/t5g/notes/{n}]',
  'Customer reports the issue is gone after upgrading to {ver}.',
];

export const TAGS: readonly string[] = [
  'shift_SR-IOV',
  'shift_ptp',
  'shift_dpdk',
  'shift_ran',
  'shift_networking',
  'shift_ztp',
  'cnv',
];

export const GROUP_NAMES: readonly string[] = [
  'Telco 5G Partners',
  'Tier 1 Telco',
  'RAN Early Adopters',
  'NFV Core',
];
